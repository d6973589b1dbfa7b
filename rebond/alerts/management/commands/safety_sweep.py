"""`rebond safety_sweep`: escalate overdue HIGH alerts and deliver pending notifications.

Run it every minute (a systemd timer in docs/deploy.md; `make run` runs it in a loop), so an
unacknowledged HIGH alert reaches the safety leads even if no other work wakes the worker.
Each finished round records a heartbeat, which /healthz checks (SAFETY_SWEEP_MAX_AGE_SECONDS):
a sweep that stopped running, or is stuck, turns the health check to 503.
"""

from __future__ import annotations

from rebond.alerts import delivery
from rebond.lib.commands import SweepCommand
from rebond.ops.health import safety_sweep_beat


class Command(SweepCommand):
    help = "Escalate overdue HIGH alerts and deliver pending alert notifications."

    def sweep(self) -> str:
        escalated = delivery.escalate_overdue_alerts()
        sent = delivery.deliver_notifications()
        safety_sweep_beat()
        return f"escalated {escalated}, notifications sent {sent}"
