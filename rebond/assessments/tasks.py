"""Background work of check-ins."""

from __future__ import annotations

from django_tasks import task

from rebond.assessments.reminders import send_due_reminders


@task()
def send_checkin_reminders() -> int:
    """Queue the reminders of open check-ins that are due now; return how many e-mails."""
    return send_due_reminders()
