"""Long exports and imports, run by the worker as background jobs (issue 21, item 5).

A clinician starts a caseload export (research CSV, FHIR bundle) or a CSV import; the request
only stores a BackgroundJob and enqueues `run_background_job` (rebond/interop/tasks.py) once
it commits, then the job's page polls its progress. Nothing long runs inside a web request,
so nothing meets gunicorn's timeout.

- The worker builds the file with the same code as the synchronous export
  (rebond/interop/exports.py), as the clinician who asked and with their access, and writes
  its progress as it goes: each write is its own statement, outside any transaction, so the
  page's poll sees it.
- The file (and an import's uploaded CSV and row errors) is sealed under the job's own subject
  key. It can be downloaded until `expires_at` (BACKGROUND_FILE_HOURS); then the page says it
  expired (410) and the daily clean-up deletes the row and destroys the key.
- The download re-checks access (rebond/access/jobs.py) and is audited exactly as the
  synchronous export was (`interop.export.<kind>`), when the file leaves.
- An import keeps its rules: every row is checked first, and any problem means nothing is
  imported; the page lists every problem by row and field. Progress counts the rows checked;
  the rows are then saved in one transaction, which no other connection can see into, so the
  page says "Saving" without a count.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from rebond import access
from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.interop import exports, importer
from rebond.interop.models import BackgroundJob
from rebond.lib.clinic_time import clinic_zone

logger = logging.getLogger(__name__)

Kind = BackgroundJob.Kind
Status = BackgroundJob.Status

# Each export kind: the audit name of the synchronous export, the file's name and type.
EXPORT_FILES = {
    Kind.RESEARCH_CSV: ("research", "rebond-research.csv", "text/csv"),
    Kind.FHIR_CASELOAD: ("fhir", "rebond-fhir-caseload.json", "application/fhir+json"),
}
# What the job's page says of a job that could not finish. A job's words (its step, its error,
# an import's problems) are written in its clinician's language, the only person who sees them.
FAILED = {
    Kind.RESEARCH_CSV: gettext_noop(
        "The research export stopped with an error. Start it again; if it"
        " fails again, tell your Rebond administrator (the worker's log has the details)."
    ),
    Kind.FHIR_CASELOAD: gettext_noop(
        "The FHIR export stopped with an error. Start it again; if it fails"
        " again, tell your Rebond administrator (the worker's log has the details)."
    ),
    Kind.CSV_IMPORT: gettext_noop(
        "The import stopped with an error and nothing was imported. Upload the"
        " file again; if it fails again, tell your Rebond administrator."
    ),
}
NO_LONGER_ALLOWED = gettext_noop(
    "Your access changed since this job was started (your account or a case's team), so it"
    " was not run. Start it again from the page you started it on."
)


class JobRefused(Exception):
    """The job's file cannot be handed over; the message says why, for the clinician."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _expiry() -> Any:
    return now() + timedelta(hours=settings.BACKGROUND_FILE_HOURS)


def _enqueue(job: BackgroundJob) -> None:
    from rebond.interop.tasks import run_background_job

    job_id = str(job.id)
    transaction.on_commit(lambda: run_background_job.enqueue(job_id))


@transaction.atomic
def start_export(user: User, kind: str, *, include_risk: bool) -> BackgroundJob:
    """Queue a caseload export of the clinician's cases; the worker builds it."""
    if kind not in EXPORT_FILES:
        raise ValueError(f"not an export: {kind!r}")
    if user.clinic_id is None:
        raise ValueError("only a clinician of a clinic exports a caseload")
    _audit, filename, content_type = EXPORT_FILES[Kind(kind)]
    job = BackgroundJob.objects.create(
        clinician=user,
        clinic_id=user.clinic_id,
        kind=kind,
        include_risk=include_risk and kind == Kind.FHIR_CASELOAD,
        filename=filename,
        content_type=content_type,
        expires_at=_expiry(),
    )
    _enqueue(job)
    return job


@transaction.atomic
def start_import(user: User, couple: Couple, text: str) -> BackgroundJob:
    """Queue the import of an uploaded CSV into a case the clinician works on."""
    couple = access.get_couple_for_clinician(user, couple.id)
    job = BackgroundJob.objects.create(
        clinician=user,
        clinic_id=couple.clinic_id,
        couple=couple,
        couple_ids=[str(couple.id)],
        kind=Kind.CSV_IMPORT,
        source=text,
        total=importer.count_rows(text),
        expires_at=_expiry(),
    )
    _enqueue(job)
    return job


def _progress(job_id: uuid.UUID, **values: Any) -> None:
    """Write progress at once, in its own statement, so the page's poll sees it."""
    BackgroundJob.objects.filter(id=job_id).update(**values)


def run(job_id: uuid.UUID) -> str:
    """Run one queued job (the task's body); return its final status.

    A job already claimed (a task delivered twice) is left alone: one conditional UPDATE
    decides which run takes it. What the job writes for its page is in its clinician's
    language (the worker has no request to take a language from).
    """
    claimed = BackgroundJob.objects.filter(id=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now()
    )
    if not claimed:
        return "not queued"
    job = BackgroundJob.objects.select_related("clinician", "clinic", "couple").get(id=job_id)
    with translation.override(job.clinician.preferred_language):
        return _run(job)


def _run(job: BackgroundJob) -> str:
    if not access.may_take_job_data(job.clinician, job):
        job.status, job.error, job.finished_at, job.source = (
            Status.FAILED,
            _(NO_LONGER_ALLOWED),
            now(),
            "",
        )
        job.save(update_fields=["status", "error", "finished_at", "source"])
        return job.status
    try:
        with timezone.override(clinic_zone(job.clinic)):
            if job.is_import:
                _run_import(job)
            else:
                _run_export(job)
    except Exception:
        logger.exception("background job failed (kind %s, job %s)", job.kind, job.id)
        _progress(job.id, status=Status.FAILED, error=_(FAILED[Kind(job.kind)]), finished_at=now())
        raise
    return job.status


def _run_export(job: BackgroundJob) -> None:
    user = job.clinician
    couples = exports.caseload_of(user)
    _progress(job.id, step=_("Reading each case's check-ins"), done=0, total=len(couples))

    def progress(done: int, total: int) -> None:
        _progress(job.id, done=done, total=total)

    if job.kind == Kind.FHIR_CASELOAD:
        body = exports.build_fhir_for_caseload(
            user, couples, include_risk=job.include_risk, progress=progress
        )
    else:
        body = exports.build_research_csv(user, couples, progress=progress)
    job.result = body
    job.couple_ids = [str(couple.id) for couple in couples]
    job.status, job.step, job.finished_at = Status.DONE, "", now()
    job.done = job.total = len(couples)
    job.expires_at = _expiry()
    job.save(
        update_fields=[
            "result",
            "couple_ids",
            "status",
            "step",
            "finished_at",
            "done",
            "total",
            "expires_at",
        ]
    )


def _run_import(job: BackgroundJob) -> None:
    if job.couple is None:
        raise ValueError("an import job names the case it imports into")
    text = job.source
    _progress(job.id, step=_("Checking each row"), done=0)
    try:
        records = importer.parse_csv(text, progress=lambda rows: _progress(job.id, done=rows))
        saving = ngettext("Saving %(count)s check-in", "Saving %(count)s check-ins", len(records))
        _progress(job.id, step=saving % {"count": len(records)}, done=len(records))
        created = importer.import_records(job.clinician, job.couple.id, records)
    except importer.ImportRejected as rejected:
        job.row_errors = [str(error) for error in rejected.errors]
        job.imported = 0
        job.status = Status.FAILED
        job.error = ngettext(
            "Nothing was imported: the file has %(count)s problem. Fix it and upload it again.",
            "Nothing was imported: the file has %(count)s problems. Fix them and upload it again.",
            len(rejected.errors),
        ) % {"count": len(rejected.errors)}
    else:
        job.imported = len(created)
        job.row_errors = []
        job.status = Status.DONE
    # The upload has done its work; its answers now live in the case's check-ins, or nowhere.
    job.source = ""
    job.step, job.finished_at = "", now()
    job.save(
        update_fields=["row_errors", "imported", "status", "error", "source", "step", "finished_at"]
    )


def file_for_download(user: User, job_id: uuid.UUID | str) -> BackgroundJob:
    """Return the clinician's finished export for download, audited as the synchronous
    export was; raise Http404 (not theirs) or JobRefused (not ready, expired, access lost)."""
    job = access.get_job_for_clinician(user, job_id)
    if job.is_import or job.status != Status.DONE:
        raise JobRefused(_("This job has no file to download."), 409)
    if job.is_expired():
        raise JobRefused(expired_message(job), 410)
    if not access.may_take_job_data(user, job):
        raise JobRefused(
            _(
                "You no longer work on every case in this export, so it cannot be downloaded."
                " Start a new export: it holds only the cases you work on now."
            ),
            403,
        )
    audit_kind, _name, _type = EXPORT_FILES[Kind(job.kind)]
    exports.log_caseload_export(user, audit_kind, include_risk=job.include_risk)
    return job


def expired_message(job: BackgroundJob) -> str:
    hours = settings.BACKGROUND_FILE_HOURS
    return ngettext(
        "This file expired and was deleted for safety (files are kept %(hours)s hour)."
        " Start the export again.",
        "This file expired and was deleted for safety (files are kept %(hours)s hours)."
        " Start the export again.",
        hours,
    ) % {"hours": hours}
