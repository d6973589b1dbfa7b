"""Background work of measurement-based care: refitting a clinic's expected recovery.

Enqueued by a clinic admin's or supervisor's "Refit now", by a change of the clinic's threshold
of closed cases, and nightly by `rebond expected_recovery_sweep` (rebond/measurement/
local_norms.py). The refit writes its progress as it goes; the expected-recovery page polls it.
"""

from __future__ import annotations

import uuid

from django_tasks import task

from rebond.measurement import local_norms


@task()
def refit_expected_recovery(clinic_id: str) -> dict[str, int]:
    """Count and fit every instrument of the clinic; return the closed cases eligible on each."""
    return local_norms.refit(uuid.UUID(clinic_id))
