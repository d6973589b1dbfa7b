"""Run 50 submits of one administration with the same key at the same moment (RL-02).

Started in a fresh process by test_concurrency.py with DATABASE_URL naming a scratch database
(a SQLite file, or a PostgreSQL database this script creates and drops). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import threading

import django

THREADS = 50


def main() -> int:
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from rebond.assessments import actions
    from rebond.assessments.models import Submission
    from rebond.test import make_clinic, make_clinician, make_couple

    call_command("migrate", verbosity=0)
    clinician = make_clinician(make_clinic("Concurrency"), "Cora Clinician")
    couple = make_couple(clinician)
    partner = couple.partners.get(role="A")
    (administration, _) = actions.schedule_instrument(clinician, couple.id, "PHQ-9")
    administration.refresh_from_db()
    answers = dict.fromkeys(range(1, 10), 1)
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[str, bool] | str] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait()
            outcome = actions.submit_administration(
                partner, administration.id, administration.submission_key, answers
            )
            result: tuple[str, bool] | str = (str(outcome.submission.id), outcome.created)
        except Exception as exc:
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes if isinstance(o, str)]
    receipts = {o[0] for o in outcomes if not isinstance(o, str)}
    created = sum(1 for o in outcomes if not isinstance(o, str) and o[1])
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "submits": len(outcomes),
                "errors": errors,
                "receipts": len(receipts),
                "created": created,
                "rows": Submission.objects.filter(administration=administration).count(),
                "total": Submission.objects.get(administration=administration).total,
            }
        )
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
    sys.exit(main())
