"""`rebond checkin_reminders`: remind partners of check-ins left open, per clinic settings.

Run it every few minutes (a systemd timer in docs/deploy.md; `make run` runs it in a loop).
Each reminder is claimed in the database first, so overlapping runs never send one twice.
"""

from __future__ import annotations

from rebond.assessments.reminders import send_due_reminders
from rebond.lib.commands import SweepCommand


class Command(SweepCommand):
    help = "Send the reminders of open check-ins that are due."

    def sweep(self) -> str:
        queued = send_due_reminders()
        return f"reminders queued {queued}"
