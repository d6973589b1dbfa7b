"""`rebond expected_recovery_sweep`: the nightly refit of each clinic's expected recovery.

Queues a background refit (rebond/measurement/tasks.py) for every clinic whose last refit
started more than 23 hours ago and none is under way; `rebond worker` runs it. Idempotent:
run it nightly or hourly (a systemd timer in docs/deploy.md; `make run` runs it every hour).
Prints a count only.
"""

from __future__ import annotations

from rebond.lib.commands import SweepCommand
from rebond.measurement.local_norms import sweep


class Command(SweepCommand):
    help = "Queue the nightly refit of each clinic's expected recovery from its closed cases."

    def sweep(self) -> str:
        return f"expected-recovery refits queued {sweep()}"
