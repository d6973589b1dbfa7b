"""`rebond appointments_sweep`: expired holds, reminders, check-ins before sessions, the outbox,
and the diary's reminders (rebond/diary/reminders.py: they need the same safe windows, checked
every minute).

Run it every minute (a systemd timer in docs/deploy.md; `make run` runs it in a loop). Every
step claims its rows in the database first, so overlapping runs never send anything twice.
It prints counts only, never a person.
"""

from __future__ import annotations

from django.utils.timezone import now

from rebond.appointments.checkins import send_session_checkins
from rebond.appointments.consultations import release_expired_holds
from rebond.appointments.outbox import send_due_messages
from rebond.appointments.reminders import queue_due_reminders
from rebond.diary.reminders import send_due_diary_reminders
from rebond.lib.commands import SweepCommand


class Command(SweepCommand):
    help = (
        "Release expired holds, queue reminders, schedule check-ins before sessions, queue "
        "diary reminders, send."
    )

    def sweep(self) -> str:
        at = now()
        # First, so that a consultation time whose hold ran out is free before anything else.
        released = release_expired_holds(at)
        reminders = queue_due_reminders(at)
        checkins = send_session_checkins(at)
        diary = send_due_diary_reminders(at)
        # Last: it sends what the steps above queued, in this same run.
        sent = send_due_messages(at)
        return (
            f"holds released {released}, reminders queued {reminders}, "
            f"session check-ins {checkins}, diary reminders {diary}, messages sent {sent}"
        )
