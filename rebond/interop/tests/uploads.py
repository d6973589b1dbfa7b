"""Upload a CSV on a case's import page, as a clinician does, and let the worker import it."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from rebond.couples.models import Couple
from rebond.interop.models import BackgroundJob


def upload_csv(client: Client, couple: Couple, body: bytes) -> tuple[Any, BackgroundJob | None]:
    """Post the file; when the page accepts it, run the import job it starts and return the
    job's page and the job, else the refusal (a file too large or not UTF-8) and None.

    The job's task is enqueued when the request commits; the test settings' immediate
    backend then runs it at once.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("interop:case_import", kwargs={"couple_id": couple.id}),
            {"file": SimpleUploadedFile("scores.csv", body, content_type="text/csv")},
        )
    if response.status_code != 302:
        return response, None
    job = BackgroundJob.objects.filter(couple=couple).order_by("-created_at").first()
    assert job is not None
    assert response["Location"] == reverse("interop:job", kwargs={"job_id": job.id})
    job.refresh_from_db()
    return client.get(response["Location"]), job
