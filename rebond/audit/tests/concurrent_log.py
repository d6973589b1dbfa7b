"""Write audit entries from several processes, each with several threads, at the same moment.

Started by test_concurrency.py with DATABASE_URL naming a scratch database (a SQLite file, or
a PostgreSQL database the test creates and drops). `python concurrent_log.py` migrates, starts
PROCESSES copies of itself as `... worker`, waits, then prints one JSON line: the sequences
written, the verify verdict, and whether raw UPDATE and DELETE through a fresh connection were
refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import django

PROCESSES = 4
THREADS = 4
ENTRIES = 25  # per thread: 400 entries in all


def worker() -> int:
    django.setup()
    from django.db import connections, transaction

    from rebond import audit

    barrier = threading.Barrier(THREADS)
    errors: list[str] = []

    def write() -> None:
        try:
            barrier.wait()
            for n in range(ENTRIES):
                with transaction.atomic():
                    audit.log(actor=None, action=f"concurrency.write.{n}")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(errors))
    return 0


def refused(sql: str) -> bool:
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


def main() -> int:
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from rebond.audit.chain import verify
    from rebond.audit.models import AuditChainHead, AuditEntry

    call_command("migrate", verbosity=0)
    connections.close_all()
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "worker"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(PROCESSES)
    ]
    errors: list[str] = []
    for process in workers:
        out, err = process.communicate(timeout=240)
        if process.returncode:
            errors.append(err.decode()[-2000:])
        else:
            errors.extend(json.loads(out.decode().strip().splitlines()[-1]))
    elapsed = time.perf_counter() - started
    sequences = list(AuditEntry.objects.order_by("id").values_list("sequence", flat=True))
    verify_started = time.perf_counter()
    verdict = verify()
    verify_ms = (time.perf_counter() - verify_started) * 1000
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "errors": errors,
                "expected": PROCESSES * THREADS * ENTRIES,
                "sequences": sequences,
                "head": AuditChainHead.objects.get().sequence,
                "intact": verdict.intact,
                "problem": verdict.problem,
                "checked": verdict.checked,
                "verify_ms": round(verify_ms, 1),
                "writes_per_second": round(len(sequences) / elapsed),
                "update_refused": refused("UPDATE audit_auditentry SET action = 'x'"),
                "delete_refused": refused("DELETE FROM audit_auditentry"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
    sys.exit(worker() if sys.argv[1:] == ["worker"] else main())
