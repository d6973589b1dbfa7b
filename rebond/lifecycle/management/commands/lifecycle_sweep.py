"""`rebond lifecycle_sweep`: the daily retention run (rebond/lifecycle/sweep.py).

Tells each clinic's admins ahead of time which days closed cases will be erased on, then
erases the cases whose retention period has ended. Idempotent: run it daily or hourly (a
systemd timer in docs/deploy.md; `make run` runs it every hour). Prints counts only.
"""

from __future__ import annotations

from rebond.lib.commands import SweepCommand
from rebond.lifecycle.sweep import sweep


class Command(SweepCommand):
    help = "Tell clinic admins ahead of retention erasures, then erase the closed cases due."

    def sweep(self) -> str:
        counts = sweep()
        return (
            f"retention notices {counts.notices}, notice e-mails sent {counts.emails}, "
            f"cases erased {counts.erased}, requests erased {counts.requests_erased}"
        )
