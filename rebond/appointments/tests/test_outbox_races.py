"""Two appointment sweeps at the same moment on PostgreSQL (two threads, two connections):
every message is sent once, every reminder stored once, every session's check-ins scheduled
once. The same claims are checked step by step on both engines in test_outbox.py,
test_appointment_reminders.py and test_session_checkins.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections

from rebond.appointments.checkins import send_session_checkins
from rebond.appointments.models import AppointmentMessage
from rebond.appointments.outbox import send_due_messages
from rebond.appointments.reminders import queue_due_reminders
from rebond.assessments.models import Administration
from rebond.lib import sms
from rebond.test import make_clinic, make_clinician, make_couple

from .helpers import appointment_settings, channel, partners, schedule

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
AT = START - timedelta(hours=24)


class SlowSms(sms.MemoryBackend):
    """A provider that takes a while, so that both sweeps are sending at once."""

    def send(self, to: str, body: str) -> None:
        time.sleep(0.05)
        super().send(to, body)


def at_once(work: Callable[[], Any], count: int = 2) -> list[Any]:
    """Run `work` in `count` threads released together; return what each returned."""
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.fixture
def couples(settings: Any) -> list[Any]:
    settings.SMS_BACKEND = f"{__name__}.SlowSms"
    clinic = make_clinic("Harbour Practice")
    appointment_settings(clinic, checkin_lead_hours=24)
    therapist = make_clinician(clinic, "Dr Harbour")
    found = []
    for n in range(4):
        couple = make_couple(therapist, f"Case {n}")
        for index, partner in enumerate(partners(couple)):
            channel(partner, "text", f"+44 7700 90{n}{index}00", may_leave_message=True)
            channel(partner, "email", f"p{n}{index}@example.test")
        schedule(therapist, couple, START - timedelta(hours=n))
        found.append(couple)
    return found


def test_two_sweeps_at_once_store_send_and_schedule_everything_once(couples: list[Any]) -> None:
    stored = at_once(lambda: queue_due_reminders(AT))
    assert sum(stored) == 4 * 2 * 2  # 4 sessions x 2 partners x 2 channels
    assert AppointmentMessage.objects.count() == 16
    sent = at_once(lambda: send_due_messages(AT))
    assert sum(sent) == 16
    assert len(sms.outbox) == 8
    assert len({m.to for m in sms.outbox}) == 8
    assert AppointmentMessage.objects.filter(status="sent").count() == 16
    scheduled = at_once(lambda: send_session_checkins(AT))
    assert sum(scheduled) == 4
    assert Administration.objects.count() == 4 * 2 * 2  # CSI-4 and PHQ-9 for each partner
