"""`rebond appointments_sweep`: reminders, check-ins before sessions, and the messages outbox.

Run it every minute (a systemd timer in docs/deploy.md; `make run` runs it in a loop). Every
step claims its rows in the database first, so overlapping runs never send anything twice.
It prints counts only, never a person.
"""

from __future__ import annotations

from django.utils.timezone import now

from rebond.appointments.checkins import send_session_checkins
from rebond.appointments.outbox import send_due_messages
from rebond.appointments.reminders import queue_due_reminders
from rebond.lib.commands import SweepCommand


class Command(SweepCommand):
    help = "Queue due appointment reminders, schedule check-ins before sessions, send messages."

    def sweep(self) -> str:
        at = now()
        # RELEASE_EXPIRED_HOLDS: the consultation booking's `release_expired_holds(at)` goes
        # here, first, so that a slot whose hold ran out is free before anything is sent.
        reminders = queue_due_reminders(at)
        checkins = send_session_checkins(at)
        # Last: it sends what the steps above queued, in this same run.
        sent = send_due_messages(at)
        return f"reminders queued {reminders}, session check-ins {checkins}, messages sent {sent}"
