"""Background delivery of alert notifications and the escalation sweep (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from rebond.alerts import actions


@task()
def deliver_alert_notifications() -> int:
    """Send every pending alert notification; safe to run in several workers at once."""
    return actions.deliver_notifications()


@task()
def escalate_overdue_alerts() -> int:
    """Escalate HIGH alerts left unacknowledged past their clinic's window."""
    return actions.escalate_overdue_alerts()
