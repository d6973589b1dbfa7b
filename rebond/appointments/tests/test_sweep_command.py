"""`rebond appointments_sweep`: one line of counts a run; run by `make run` beside the other
sweeps and by its own systemd timer in the deployment guide."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils.timezone import now

from rebond.appointments.models import AppointmentMessage
from rebond.ops.tests.test_deploy import INSTALL_BIN, unit_exec_start
from rebond.test import make_clinic, make_clinician, make_couple
from rebond.tests import live

from .helpers import appointment_settings, channel, partners, schedule


@pytest.mark.django_db
def test_an_idle_run_prints_its_counts_all_zero() -> None:
    out = StringIO()
    call_command("appointments_sweep", stdout=out)
    assert out.getvalue() == (
        "holds released 0, reminders queued 0, session check-ins 0, diary reminders 0, "
        "messages sent 0\n"
    )


@pytest.mark.django_db
def test_one_run_queues_the_reminders_schedules_the_check_ins_and_sends() -> None:
    clinic = make_clinic("Harbour Practice")
    appointment_settings(
        clinic,
        checkin_lead_hours=24,
        # Any hour is safe: the run must not depend on the time of day the test runs at.
        default_window_start="00:00",
        default_window_end="00:00",
    )
    therapist = make_clinician(clinic, "Dr Harbour")
    couple = make_couple(therapist, "Harbour case", partners=("Sam", "Alex"))
    a, b = partners(couple)
    channel(a, "email", "sam.person@example.test")
    channel(b, "email", "alex.person@example.test")
    schedule(therapist, couple, now() + timedelta(hours=3))
    out = StringIO()
    call_command("appointments_sweep", stdout=out)
    # Names no one: counts only.
    assert out.getvalue() == (
        "holds released 0, reminders queued 2, session check-ins 1, diary reminders 0, "
        "messages sent 2\n"
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alex.person@example.test",
        "sam.person@example.test",
    ]
    assert {m.status for m in AppointmentMessage.objects.all()} == {"sent"}


def test_the_deployment_guide_runs_it_every_minute_with_a_private_umask() -> None:
    assert unit_exec_start("rebond-appointments-sweep.service") == [
        f"{INSTALL_BIN}rebond",
        "appointments_sweep",
    ]
    guide = (live.ROOT / "docs" / "deploy.md").read_text()
    service = guide[guide.index("`/etc/systemd/system/rebond-appointments-sweep.service`") :]
    service = service[: service.index("```", service.index("```ini") + 6)]
    assert "\nUMask=0077\n" in service
    timer = guide[guide.index("`/etc/systemd/system/rebond-appointments-sweep.timer`") :]
    timer = timer[: timer.index("```", timer.index("```ini") + 6)]
    assert "OnUnitActiveSec=1min" in timer


def test_make_run_starts_and_stops_it_with_the_other_sweeps() -> None:
    makefile = (live.ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") : makefile.index("\ndemo-code:")]
    assert re.search(r"appointments_sweep --every \d+ & appointments=\$\$!", run)
    trap = next(line for line in run.splitlines() if "trap " in line)
    assert trap.count("$$appointments") == 2  # killed, then waited for
