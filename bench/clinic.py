"""The synthetic clinic of the benchmarks: one therapist, many couples with a long history.

`SEED` runs in a fresh Django process (bench/run and bench/soak hand it to `python -c` with
the server's environment) and gives the live clinician of rebond/tests/live.py (the one
`live.prepare` made, with an authenticator-app seed) `couples` conjoint couples, each with
`sessions` sessions of four instruments (CSI-4, GAD-7, WHO-5, PHQ-9) answered by both
partners: couples x sessions x 8 scored submissions, synthetic only, written with
bulk_create.

When the measurement branch's builder (rebond.measurement.synthetic.build_couples, used by
bench/caseload.py) is installed it builds the couples, so the two benchmarks measure the same
clinic; otherwise the small builder below does, scoring a pool of random answer patterns with
psychometrics (the same scoring as a real submission) and reusing them.
"""

from __future__ import annotations

from rebond.tests import live


def log_in(client: live.HttpClient, email: str = live.LIVE_EMAIL) -> None:
    """Log a clinician with the live password and authenticator seed in (the live clinician
    unless `email` names another): password, then the authenticator code.

    Computes the code with pyotp itself (as an authenticator app does), so the benchmark's
    own process needs no Django set-up.
    """
    import pyotp

    client.request("GET", "/accounts/login/")
    status, _, _ = client.request(
        "POST", "/accounts/login/", {"username": email, "password": live.LIVE_PASSWORD}
    )
    assert status == 302, f"login {status}"
    client.request("GET", "/accounts/two-factor/verify/")
    code = pyotp.TOTP(live.LIVE_TOTP_SECRET, digits=6, interval=30).now()
    status, _, _ = client.request("POST", "/accounts/two-factor/verify/", {"code": code})
    assert status == 302, f"second factor {status}"


SEED = """
import json, random, time, uuid
from datetime import timedelta
import django
django.setup()
from django.db import transaction
from django.utils.timezone import now
from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Administration, Submission
from rebond.couples.models import Couple, Partner

COUPLES, SESSIONS, BATCH = {couples}, {sessions}, 50
INSTRUMENTS = ("CSI-4", "GAD-7", "WHO-5", "PHQ-9")
clinician = User.objects.get(email={email!r})
started = time.perf_counter()
rng = random.Random(11)

try:
    from rebond.measurement.synthetic import Scenario, build_couples
except ImportError:
    build_couples = None


def answer_pool(code):
    inst = scoring.instrument(code)
    pool = []
    for _ in range(40):
        answers = {{}}
        for item in inst.items:
            values = sorted(option.value for option in item.options)
            # No endorsed PHQ-9 item 9 in the history: those raise alerts, which the
            # history (written in bulk, not through actions.submit) would not have.
            answers[item.number] = 0 if (code, item.number) == ("PHQ-9", 9) else rng.choice(values)
        payload = scoring.result_payload(scoring.score(inst, answers))
        pool.append(({{str(n): v for n, v in answers.items()}}, payload))
    return pool


def build_history(count, offset):
    pools = {{code: answer_pool(code) for code in INSTRUMENTS}}
    couples = Couple.objects.bulk_create(
        Couple(clinic=clinician.clinic, label=f"Bench couple {{offset + n:04d}}",
               primary_clinician=clinician, status=Couple.Status.CONJOINT_ACTIVE)
        for n in range(count)
    )
    partners = Partner.objects.bulk_create(
        Partner(couple=couple, role=role, display_name=f"Partner {{role}}")
        for couple in couples for role in (Partner.Role.A, Partner.Role.B)
    )
    administrations, submissions = [], []
    first = now() - timedelta(weeks=SESSIONS + 1)
    for partner in partners:
        for session in range(SESSIONS):
            when = first + timedelta(weeks=session)
            for code in INSTRUMENTS:
                answers, payload = rng.choice(pools[code])
                administration = Administration(
                    couple_id=partner.couple_id, partner=partner, instrument_code=code,
                    occasion=f"Session {{session + 1}}", status=Administration.Status.SUBMITTED,
                    due_at=when, created_at=when, created_by=clinician, submitted_at=when)
                administrations.append(administration)
                submissions.append(Submission(
                    administration=administration, submission_key=uuid.uuid4(),
                    answers=answers, scores=payload["scores"], total=payload["total"],
                    band=payload["band"] or "", flags=payload["flags"],
                    complete=payload["complete"], missing=payload["missing"], submitted_at=when))
    Administration.objects.bulk_create(administrations, batch_size=2000)
    Submission.objects.bulk_create(submissions, batch_size=2000)
    return couples


made = []
for offset in range(0, COUPLES, BATCH):
    count = min(BATCH, COUPLES - offset)
    with transaction.atomic():
        if build_couples is not None:
            made += build_couples(clinician, count, sessions=SESSIONS,
                                  scenarios=(Scenario.IMPROVING, Scenario.ONE_FLAT,
                                             Scenario.BOTH_FLAT),
                                  seed=offset, label=f"Bench couple {{offset:04d}}")
        else:
            made += build_history(count, offset)
    print(f"  seeded {{offset + count}}/{{COUPLES}} couples", flush=True)
print(json.dumps({{"couples": [str(c.id) for c in made[:200]],
                  "submissions": Submission.objects.count(),
                  "builder": "measurement" if build_couples else "bench/clinic.py",
                  "seconds": round(time.perf_counter() - started, 1)}}))
"""
