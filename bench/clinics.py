"""The multi-clinic load of `bench/run` (issue 21, item 7): many practices on one installation.

On a scratch PostgreSQL database: `clinics` clinics of `couples` couples each, every couple
with the benchmark clinic's history (bench/clinic.py: sessions x 4 instruments x 2 partners,
rebond.measurement.synthetic), one clinician per clinic (password and authenticator code),
and `partners` answering partners whose couples are spread over the clinics. Two gunicorn
servers and one task worker serve it, as docs/deploy.md section 11 describes; each client
keeps to one server (as a balancer with sticky sessions would send it), half to each.
Every clinic's clinician browses its caseload and case pages while the partners answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.clinic import log_in
from rebond.tests import live

SEED_CLINICS = """
import json, time
import django
django.setup()
from django.db import transaction
from django.utils.timezone import now
from rebond.accounts.models import TOTPDevice
from rebond.measurement.synthetic import Scenario, build_couples
from rebond.test import make_clinic, make_clinician, open_checkins

CLINICS, COUPLES, SESSIONS, PARTNERS = {clinics}, {couples}, {sessions}, {partners}
started = time.perf_counter()
clinicians, seeds = [], []
for c in range(CLINICS):
    with transaction.atomic():
        clinic = make_clinic(f"Bench clinic {{c:02d}}", slug=f"bench-clinic-{{c:02d}}")
        clinician = make_clinician(clinic, f"Clinician {{c:02d}}",
                                   email=f"clinician{{c:02d}}@clinics.bench.test")
        TOTPDevice.objects.create(user=clinician, secret={secret!r}, confirmed=True,
                                  confirmed_at=now())
        couples = build_couples(clinician, COUPLES, sessions=SESSIONS,
                                scenarios=(Scenario.IMPROVING, Scenario.ONE_FLAT,
                                           Scenario.BOTH_FLAT),
                                seed=c, label=f"Clinic {{c:02d}} couple")
        # Each clinic's share of the answering partners (partner A of a couple each).
        share = PARTNERS // CLINICS + (c < PARTNERS % CLINICS)
        seeds += open_checkins(clinician, share, f"Clinic {{c:02d}} answering couple")
    clinicians.append({{"email": clinician.email, "couples": [str(x.id) for x in couples]}})
    print(f"  seeded {{c + 1}}/{{CLINICS}} clinics", flush=True)
print(json.dumps({{"clinicians": clinicians, "seeds": seeds,
                  "seconds": round(time.perf_counter() - started, 1)}}))
"""


@dataclass(frozen=True)
class Seeded:
    clinicians: list[dict[str, object]]  # {"email": ..., "couples": [ids]}
    seeds: list[dict[str, str]]  # the answering partners' couples (live.open_checkins)
    seconds: float


def seed(env: dict[str, str], clinics: int, couples: int, sessions: int, partners: int,
         say: Callable[[str], None]) -> Seeded:  # fmt: skip
    """Migrate the database `env` names and seed the clinics; report progress through `say`."""
    live.prepare(env)
    script = SEED_CLINICS.format(
        clinics=clinics,
        couples=couples,
        sessions=sessions,
        partners=partners,
        secret=live.LIVE_TOTP_SECRET,
    )
    seeding = subprocess.Popen(
        [sys.executable, "-c", script], env=env, cwd=live.ROOT, stdout=subprocess.PIPE, text=True
    )
    assert seeding.stdout is not None
    last = ""
    for line in seeding.stdout:
        last = line
        if line.startswith("  seeded"):
            say(f"clinics:{line.rstrip()}")
    assert seeding.wait() == 0, "seeding the clinics failed"
    done = json.loads(last)
    subprocess.run(
        [str(live.BIN / "rebond"), "dbshell", "--", "-c", "ANALYZE"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return Seeded(done["clinicians"], done["seeds"], done["seconds"])


def clinician_client(port: int, email: str) -> live.HttpClient:
    """Return a client signed in as the clinic's clinician (password, authenticator code)."""
    client = live.HttpClient(port)
    log_in(client, email=email)
    return client


@dataclass
class Servers:
    """Two gunicorn servers and one task worker on one database (start_servers)."""

    ports: list[int]
    processes: list[subprocess.Popen[bytes]]  # the servers first, then the worker


def start_servers(env: dict[str, str], tmp: Path, workers: int) -> Servers:
    """Start two gunicorn servers and one task worker."""
    env = {**env, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    ports = [live.free_port(), live.free_port()]
    servers = [live.start_gunicorn(env, port, workers=workers) for port in ports]
    return Servers(ports, [*servers, live.start_worker(env, tmp / "worker.log")])
