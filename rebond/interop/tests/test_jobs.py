"""Caseload exports and CSV imports run as background jobs (issue 21, item 5).

The tests go through the pages with Django's test client and run the queued task either
through django-tasks' database worker (`db_worker --batch`, the loop `rebond worker` runs) or
the immediate backend the test settings use.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.assessments.models import Administration
from rebond.audit.models import AuditEntry
from rebond.couples import team
from rebond.couples.models import Couple
from rebond.crypto.subjects import is_shredded
from rebond.interop import exports, importer, jobs
from rebond.interop.models import BackgroundJob
from rebond.lib.clinic_time import clinic_zone
from rebond.ops import cleanup
from rebond.test import ensure_totp_device, make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
GAD7_HEADER = "partner_role,instrument,date," + ",".join(f"item_{n}" for n in range(1, 8))


@pytest.fixture
def database_queue(settings: Any) -> None:
    """Queue tasks in the database, as in production: nothing runs until a worker takes it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """Run django-tasks' database worker until the queue is empty (what `rebond worker` runs).

    Its loop closes a connection left inside a transaction, as after a request: the tests that
    run it commit for real (transaction=True)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)


def start(client: Client, capture: Capture, path: str, data: dict[str, Any]) -> BackgroundJob:
    """Post the form that starts a job; the job's task is enqueued when the request commits."""
    with capture(execute=True):
        response = client.post(path, data)
    assert response.status_code == 302, response.content
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("interop:job", kwargs={"job_id": job.id})
    return job


def job_url(name: str, job: BackgroundJob) -> str:
    return reverse(f"interop:{name}", kwargs={"job_id": job.id})


@pytest.mark.django_db(transaction=True)
def test_a_research_export_runs_in_the_background_and_its_page_offers_the_file(
    client: Client,
    demo_couple: Couple,
    database_queue: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    therapist = demo_couple.primary_clinician
    sign_in(client, therapist)
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:caseload_exports"),
        {"export": "research"},
    )
    # Queued: the page polls its progress (htmx, no inline script) and says what it waits for.
    page = client.get(job_url("job", job)).content.decode()
    assert "Waiting for the background worker" in page
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{job_url("job_status", job)}"' in page
    assert 'role="status" aria-live="polite"' in page
    assert "<progress" in page
    assert "<script>" not in page
    assert "Download" not in page
    assert client.get(job_url("job_download", job)).status_code == 409

    run_worker()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert job.done == job.total == len(job.couple_ids) > 0
    status = client.get(job_url("job_status", job)).content.decode()
    assert "Your file is ready" in status
    assert "hx-trigger" not in status  # done: the page stops polling
    assert job_url("job_download", job) in status
    # The file is sealed at rest: the column holds ciphertext, never the CSV.
    with connection.cursor() as cursor:
        cursor.execute("SELECT result FROM interop_backgroundjob WHERE id = %s", [job.id.hex])
        row = cursor.fetchone()
    if row is None:  # PostgreSQL stores the UUID itself, not its hex
        with connection.cursor() as cursor:
            cursor.execute("SELECT result FROM interop_backgroundjob WHERE id = %s", [job.id])
            row = cursor.fetchone()
    assert row is not None
    assert "couple_id" not in row[0]

    assert not AuditEntry.objects.filter(action="interop.export.research").exists()
    download = client.get(job_url("job_download", job))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert 'filename="rebond-research.csv"' in download["Content-Disposition"]
    # Audited when the file leaves, as the synchronous export was.
    entry = AuditEntry.objects.get(action="interop.export.research")
    assert (entry.object_type, entry.object_id) == ("caseload", "")
    # The same file the synchronous export makes.
    assert download.content.decode() == exports.research_csv(therapist)
    assert next(csv.reader(io.StringIO(download.content.decode())))[0] == "couple_id"

    # Another clinician of the same clinic, even one on the same case, gets nothing.
    colleague = make_clinician(demo_couple.clinic, "Other Clinician")
    other = Client()
    sign_in(other, colleague)
    for name in ("job", "job_status", "job_download"):
        assert other.get(job_url(name, job)).status_code == 404

    # Expired: the page says so (410) and the file is not handed over any more.
    BackgroundJob.objects.filter(id=job.id).update(expires_at=now() - timedelta(seconds=1))
    expired = client.get(job_url("job", job))
    assert expired.status_code == 410
    assert b"This file expired and was deleted for safety" in expired.content
    refused = client.get(job_url("job_download", job))
    assert refused.status_code == 410
    assert b"Start the export again" in refused.content
    assert AuditEntry.objects.filter(action="interop.export.research").count() == 2

    # The daily clean-up deletes the row and destroys its key: no copy opens any more.
    counts = cleanup.run(now())
    assert counts["expired export files"] == 1
    assert not BackgroundJob.objects.filter(id=job.id).exists()
    assert is_shredded(str(job.id))
    assert client.get(job_url("job", job)).status_code == 404


def test_a_fhir_export_equals_the_synchronous_bundle_and_keeps_the_risk_choice(
    client: Client, demo_couple: Couple, django_capture_on_commit_callbacks: Capture
) -> None:
    therapist = demo_couple.primary_clinician
    sign_in(client, therapist)
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:caseload_exports"),
        {"export": "fhir", "include_risk": "on"},
    )
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert job.include_risk
    download = client.get(job_url("job_download", job))
    assert download["Content-Type"] == "application/fhir+json"
    # As in the web request, times are written in the clinic's zone (zone middleware).
    with timezone.override(clinic_zone(demo_couple.clinic)):
        expected = exports.fhir_for_caseload(therapist, include_risk=True)
    assert download.content.decode() == expected
    entry = AuditEntry.objects.filter(action="interop.export.fhir").order_by("pk").first()
    assert entry is not None
    assert "risk" in entry.fields


def test_a_file_is_refused_once_the_clinician_left_a_case_it_holds(
    client: Client, alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:caseload_exports"),
        {"export": "research"},
    )
    job.refresh_from_db()
    assert job.couple_ids == [str(couple.id)]
    successor = make_clinician(alice.clinic, "Successor")
    ensure_totp_device(successor)
    team.hand_over(alice, couple.id, successor.id, note="Over to you.", previous_stays=False)
    refused = client.get(job_url("job_download", job))
    assert refused.status_code == 403
    assert b"You no longer work on every case in this export" in refused.content
    assert not AuditEntry.objects.filter(action="interop.export.research").exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_clinician_was_deactivated_before_it_ran_does_not_run(
    client: Client,
    alice: User,
    database_queue: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_couple(alice)
    sign_in(client, alice)
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:caseload_exports"),
        {"export": "research"},
    )
    User.objects.filter(pk=alice.pk).update(is_active=False)
    run_worker()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert job.error == jobs.NO_LONGER_ALLOWED
    assert job.result == ""


def test_the_page_shows_a_running_jobs_progress_as_a_progress_bar(
    client: Client, alice: User
) -> None:
    job = jobs.start_export(alice, BackgroundJob.Kind.RESEARCH_CSV, include_risk=False)
    BackgroundJob.objects.filter(id=job.id).update(
        status=BackgroundJob.Status.RUNNING, step="Reading each case's check-ins", done=3, total=8
    )
    sign_in(client, alice)
    page = client.get(job_url("job", job)).content.decode()
    assert "Reading each case&#x27;s check-ins (3 of 8)" in page
    assert '<progress aria-label="Progress of the job" value="3" max="8">' in page
    assert 'hx-trigger="every 2s"' in page


def test_a_job_the_worker_never_finished_stops_polling_and_says_so(
    client: Client, alice: User
) -> None:
    job = jobs.start_export(alice, BackgroundJob.Kind.RESEARCH_CSV, include_risk=False)
    BackgroundJob.objects.filter(id=job.id).update(created_at=now() - timedelta(hours=2))
    sign_in(client, alice)
    page = client.get(job_url("job", job)).content.decode()
    assert "the background worker may have stopped" in page
    assert "hx-trigger" not in page


def test_a_good_upload_is_imported_by_the_worker_and_its_page_counts_the_rows(
    client: Client, alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    body = f"{GAD7_HEADER}\nA,GAD-7,2025-03-01,1,1,1,1,1,1,1\nB,GAD-7,2025-03-02,0,0,0,0,0,0,1\n"
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:case_import", kwargs={"couple_id": couple.id}),
        {"file": SimpleUploadedFile("scores.csv", body.encode(), content_type="text/csv")},
    )
    job.refresh_from_db()
    assert (job.status, job.imported, job.total) == (BackgroundJob.Status.DONE, 2, 2)
    assert job.source == ""  # the upload is not kept once imported
    page = client.get(job_url("job", job))
    assert b"2 check-ins imported" in page.content
    totals = sorted(a.submission.total for a in Administration.objects.filter(couple=couple))
    assert totals == [1, 7]
    # An import has no file to download.
    assert client.get(job_url("job_download", job)).status_code == 409


def test_a_bad_upload_lists_every_row_and_field_and_imports_nothing(
    client: Client, alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    body = b"partner_role,instrument,date,item_1\nZ,PHQ-9,2025-01-01,9\nA,XYZ,2025-13-01\n"
    job = start(
        client,
        django_capture_on_commit_callbacks,
        reverse("interop:case_import", kwargs={"couple_id": couple.id}),
        {"file": SimpleUploadedFile("scores.csv", body, content_type="text/csv")},
    )
    page = client.get(job_url("job", job)).content.decode()
    assert "Nothing was imported: the file has 4 problems. Fix them and upload it again." in page
    for problem in (
        "Row 2, partner_role: must be A or B.",
        "Row 2, item_1: 9 is not one of 0, 1, 2, 3.",
        "Row 3, instrument: &#x27;XYZ&#x27; is not a Rebond instrument code.",
        "Row 3, date: &#x27;2025-13-01&#x27; is not a date as YYYY-MM-DD.",
    ):
        assert problem in page
    assert not Administration.objects.filter(couple=couple).exists()


def test_a_file_that_is_not_utf8_is_refused_at_once_with_its_reason(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    response = client.post(
        reverse("interop:case_import", kwargs={"couple_id": couple.id}),
        {"file": SimpleUploadedFile("scores.csv", "é".encode("latin-1"), content_type="text/csv")},
    )
    assert response.status_code == 422
    assert b"The file is not UTF-8 text" in response.content
    assert not BackgroundJob.objects.exists()


def test_the_exports_and_the_import_report_their_progress_as_they_go(
    demo_couple: Couple,
) -> None:
    therapist = demo_couple.primary_clinician
    couples = exports.caseload_of(therapist)
    seen: list[tuple[int, int]] = []
    exports.build_research_csv(therapist, couples, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(n, len(couples)) for n in range(1, len(couples) + 1)]
    seen.clear()
    exports.build_fhir_for_caseload(
        therapist, couples, include_risk=False, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(n, len(couples)) for n in range(1, len(couples) + 1)]
    rows = "".join("A,GAD-7,2025-03-01,1,1,1,1,1,1,1\n" for _ in range(600))
    text = f"{GAD7_HEADER}\n{rows}"
    read: list[int] = []
    assert len(importer.parse_csv(text, progress=read.append)) == 600
    assert read == [250, 500]
    assert importer.count_rows(text) == 600
