"""Two people take a clinician's last free slot at the same moment: exactly one gets it.

Both have seen the slot free; both call `booking.place` in their own transaction. The check in
`place` cannot stop the second on its own, since both pass it before either has written, so
the database must (migration 0002):

- PostgreSQL, two threads on two connections: the pauses make both pass the check first, then
  force each order of the two inserts. The exclusion constraint refuses the second, which
  `place` turns into ActionError 409; exactly one row remains.
- SQLite serialises writers (BEGIN IMMEDIATE, a busy timeout: docs/architecture.md,
  Databases), so there "at once" means the second writer waits for the first: two processes
  on one database file show that it waits, then gets the 409 rather than a double row. (The
  suite's own SQLite database lives in memory, shared by threads without waiting, so the
  processes get a database file of their own.)
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from rebond.accounts.models import Clinic, User
from rebond.appointments import booking
from rebond.appointments.booking import TAKEN, place
from rebond.appointments.models import Appointment, SessionType
from rebond.appointments.slots import free_slots
from rebond.appointments.tests.calendar_helpers import at, hours, session_type
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, make_couple

ZONE = "Europe/Madrid"
MONDAY = "2027-03-29"
# Long enough for the other thread to reach the lock it waits on.
SETTLE_SECONDS = 1.0


def last_slot(noor: User) -> tuple[SessionType, datetime, datetime]:
    """Give Noor one stretch that holds exactly one conjoint session; return its bounds."""
    conjoint = session_type(noor, SessionType.Kind.CONJOINT)
    hours(noor, 0, "09:00", "10:20")
    start = at(MONDAY, "00:00", ZONE)
    return conjoint, start, start + timedelta(days=1)


def appointment(noor: User, conjoint: SessionType, starts_at: datetime, by: User) -> Appointment:
    assert noor.clinic is not None
    return Appointment(
        clinic=noor.clinic,
        clinician=noor,
        session_type=conjoint,
        kind=conjoint.kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=conjoint.duration_minutes),
        couple=make_couple(noor, f"Case of {by.display_name}"),
        created_by=by,
    )


# --- PostgreSQL: two threads, two real transactions -----------------------------------------


class Booker:
    """One person booking in their own thread; pauses after the check and before commit."""

    def __init__(self, make: Callable[[], Appointment]) -> None:
        self.make = make
        self.checked, self.go_insert = threading.Event(), threading.Event()
        self.placed, self.go_commit = threading.Event(), threading.Event()
        self.saw_overlap: bool | None = None
        self.result: Appointment | BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                self.result = place(self.make())
                self.placed.set()
                assert self.go_commit.wait(timeout=10)
        except BaseException as error:  # reported by the test
            self.result = error
        finally:
            connections.close_all()


@pytest.fixture
def racing(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[Booker]], None]:
    """Make booking.overlapping stop each booker after its check, until let go."""
    by_thread: dict[int, Booker] = {}
    original = booking.overlapping

    def paused(appointment: Appointment) -> bool:
        booker = by_thread[threading.get_ident()]
        booker.saw_overlap = original(appointment)
        booker.checked.set()
        assert booker.go_insert.wait(timeout=10)
        return booker.saw_overlap

    monkeypatch.setattr(booking, "overlapping", paused)

    def start(bookers: list[Booker]) -> None:
        for booker in bookers:
            booker.thread.start()
            by_thread[booker.thread.ident] = booker  # type: ignore[index]

    return start


def prepare(clinic: Clinic) -> tuple[User, User, User, SessionType, datetime]:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    clinic.timezone = ZONE
    clinic.save(update_fields=["timezone"])
    noor = make_clinician(clinic, "Noor Castellan")
    ada = make_clinician(clinic, "Ada Triage")
    ben = make_clinician(clinic, "Ben Triage")
    conjoint, start, end = last_slot(noor)
    slots = free_slots(noor, conjoint, start=start, end=end)
    assert len(slots) == 1, "the stretch holds exactly one conjoint session"
    return noor, ada, ben, conjoint, slots[0].starts_at


def assert_one_booking(noor: User, conjoint: SessionType, bookers: list[Booker]) -> None:
    won = [b.result for b in bookers if isinstance(b.result, Appointment)]
    lost = [b.result for b in bookers if isinstance(b.result, ActionError)]
    assert len(won) == 1, [b.result for b in bookers]
    assert len(lost) == 1, [b.result for b in bookers]
    assert lost[0].status == 409
    assert lost[0].errors == {"starts_at": [TAKEN]}
    # Both passed the check in `place`: the database alone refused the second.
    assert [b.saw_overlap for b in bookers] == [False, False]
    assert Appointment.objects.filter(clinician=noor).count() == 1
    start = at(MONDAY, "00:00", ZONE)
    assert free_slots(noor, conjoint, start=start, end=start + timedelta(days=1)) == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_second_insert_waits_for_the_first_and_is_refused_when_it_commits(
    clinic_a: Clinic, racing: Callable[[list[Booker]], None]
) -> None:
    noor, ada, ben, conjoint, slot = prepare(clinic_a)
    first = Booker(lambda: appointment(noor, conjoint, slot, ada))
    second = Booker(lambda: appointment(noor, conjoint, slot, ben))
    racing([first, second])
    assert first.checked.wait(timeout=10)
    assert second.checked.wait(timeout=10)  # both saw the slot free
    first.go_insert.set()
    assert first.placed.wait(timeout=10)  # inserted, not committed
    second.go_insert.set()
    time.sleep(SETTLE_SECONDS)
    assert second.thread.is_alive()  # its insert waits on the first transaction
    assert not second.placed.is_set()
    first.go_commit.set()
    second.go_commit.set()
    first.thread.join(timeout=30)
    second.thread.join(timeout=30)
    assert_one_booking(noor, conjoint, [first, second])
    assert isinstance(first.result, Appointment)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_second_insert_after_the_first_committed_is_refused(
    clinic_a: Clinic, racing: Callable[[list[Booker]], None]
) -> None:
    noor, ada, ben, conjoint, slot = prepare(clinic_a)
    first = Booker(lambda: appointment(noor, conjoint, slot, ada))
    second = Booker(lambda: appointment(noor, conjoint, slot, ben))
    racing([first, second])
    assert first.checked.wait(timeout=10)
    assert second.checked.wait(timeout=10)
    first.go_insert.set()
    first.go_commit.set()
    first.thread.join(timeout=30)  # committed
    second.go_insert.set()
    second.go_commit.set()
    second.thread.join(timeout=30)
    assert_one_booking(noor, conjoint, [first, second])
    assert isinstance(second.result, ActionError)


# --- SQLite: two processes, one database file --------------------------------------------

SETUP = """
import json, django
django.setup()
from datetime import time
from django.db import transaction
from rebond.appointments.clinic_settings import ensure_session_types
from rebond.appointments.models import WeeklyHours
from rebond.test import make_clinic, make_clinician
clinic = make_clinic("Race clinic", timezone="Europe/Madrid")
noor = make_clinician(clinic, "Noor Castellan")
WeeklyHours.objects.create(clinician=noor, weekday=0, starts=time(9), ends=time(10, 20))
ensure_session_types(clinic)
people = {"noor": str(noor.pk)}
for name in ("ada", "ben"):
    people[name] = str(make_clinician(clinic, name.title() + " Triage").pk)
print(json.dumps(people))
"""

# One person books: reads the free slot (as the booking form does), then, in a transaction
# of its own, places the appointment. The first writer stops inside its transaction until
# the test lets it go, so that the second comes while the first holds the write lock.
WRITER = """
import json, os, pathlib, sys, time, django
django.setup()
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from django.db import transaction
from rebond.accounts.models import User
from rebond.appointments.booking import place
from rebond.appointments.models import Appointment, SessionType
from rebond.appointments.slots import free_slots
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
people = json.loads(os.environ["PEOPLE"])
noor = User.objects.get(pk=people["noor"])
me = User.objects.get(pk=people[os.environ["ME"]])
conjoint = SessionType.objects.get(clinic=noor.clinic, kind="conjoint")
start = datetime(2027, 3, 29, tzinfo=ZoneInfo("Europe/Madrid"))
slot = free_slots(noor, conjoint, start=start, end=start + timedelta(days=1))[0]
couple = Couple.objects.create(clinic=noor.clinic, label="Case", primary_clinician=noor)
ready, go = pathlib.Path(os.environ["READY"]), pathlib.Path(os.environ["GO"])
try:
    with transaction.atomic():
        ready.touch()
        while os.environ["WAITS"] == "yes" and not go.exists():
            time.sleep(0.05)
        place(Appointment(
            clinic=noor.clinic, clinician=noor, session_type=conjoint, kind=conjoint.kind,
            starts_at=slot.starts_at, ends_at=slot.ends_at, couple=couple, created_by=me,
        ))
    print("booked")
except ActionError as error:
    print(int(error.status))
"""


@pytest.mark.slow
def test_on_sqlite_the_second_writer_waits_then_gets_the_conflict(tmp_path: Path) -> None:
    database = tmp_path / "race.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "True",
        "HTTPS": "False",
        "DATABASE_URL": f"sqlite:///{database}",
        "REBOND_VAR_DIR": str(tmp_path),
    }

    def run(code: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", code],
            env={**env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    subprocess.run(
        [sys.executable, "-m", "rebond.cli", "migrate", "-v0"], env=env, check=True, timeout=180
    )
    setup = run(SETUP)
    out, err = setup.communicate(timeout=60)
    assert setup.returncode == 0, err
    people = out.strip().splitlines()[-1]
    ready = {name: tmp_path / f"{name}.ready" for name in ("ada", "ben")}
    go = tmp_path / "go"
    first = run(WRITER, PEOPLE=people, ME="ada", WAITS="yes", READY=str(ready["ada"]), GO=str(go))
    deadline = time.monotonic() + 60
    while not ready["ada"].exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # Ada holds the write lock inside her transaction; Ben has read the same free slot.
    second = run(WRITER, PEOPLE=people, ME="ben", WAITS="no", READY=str(ready["ben"]), GO=str(go))
    time.sleep(3)
    assert second.poll() is None, second.communicate()  # Ben waits for the lock
    assert not ready["ben"].exists()  # ...before his transaction even began
    go.touch()
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert [o.strip().splitlines()[-1] for o, _ in outputs] == ["booked", "409"]
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM appointments_appointment").fetchone()
    assert count == 1
