"""Background jobs (caseload exports, CSV imports): who sees a job and who takes its file.

A job is its requester's alone: another clinician, even a clinic admin, gets the 404 of a job
that does not exist. Its file is handed over only while the requester still works on every
case whose data it holds: a case handed over since, or an account deactivated, stops it.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.cases import couples_for_clinician
from rebond.accounts.models import User
from rebond.interop.models import BackgroundJob


def jobs_of_clinician(user: User) -> QuerySet[BackgroundJob]:
    """Return the clinician's own jobs in their clinic (none once deactivated)."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        return BackgroundJob.objects.none()
    return BackgroundJob.objects.filter(clinic_id=clinic_id, clinician_id=user.pk)


def get_job_for_clinician(user: User, job_id: uuid.UUID | str) -> BackgroundJob:
    """Return one of the clinician's own jobs in their clinic, or raise Http404."""
    return get_or_404(jobs_of_clinician(user).select_related("couple"), job_id)


def may_take_job_data(user: User, job: BackgroundJob) -> bool:
    """Return whether the clinician, still active in the job's clinic, still works on every
    case whose data the job holds (checked before the worker runs it and at the download)."""
    if clinic_id_of(user) != job.clinic_id:
        return False
    wanted = {str(couple_id) for couple_id in job.couple_ids}
    if not wanted:
        return True
    visible = couples_for_clinician(user).filter(id__in=wanted).values_list("id", flat=True)
    return {str(couple_id) for couple_id in visible} >= wanted
