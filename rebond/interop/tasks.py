"""Background work of interop: the caseload exports and CSV imports (rebond/interop/jobs.py)."""

from __future__ import annotations

import uuid

from django_tasks import task

from rebond.interop import jobs


@task()
def run_background_job(job_id: str) -> str:
    """Run one export or import job; return its final status."""
    return jobs.run(uuid.UUID(job_id))
