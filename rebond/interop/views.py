"""Export, import and API-token pages (clinicians, after a recent re-authentication)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.models import User
from rebond.accounts.stepup import recent_authentication_required
from rebond.couples.models import Couple
from rebond.interop import exports, jobs, tokens
from rebond.interop.forms import ImportForm, TokenForm
from rebond.interop.models import ApiToken, BackgroundJob

# How often a job's page asks for its progress while the job is queued or running.
JOB_POLL_SECONDS = 2
Kind = BackgroundJob.Kind


def _clinician(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.clinic_id is None:
        raise Http404("Not found.")
    return user


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def case_exports(request: HttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show a case's exports (GET); download the one chosen (POST).

    Access is checked before the step-up, so a clinician off the case gets the same 404 as
    for a case that does not exist, never a re-authentication prompt.
    """
    couple = access.get_couple_for_clinician(_clinician(request), couple_id)
    return _case_exports(request, couple)


@recent_authentication_required()
def _case_exports(request: HttpRequest, couple: Couple) -> HttpResponse:
    user = _clinician(request)
    if request.method == "POST":
        choice = request.POST.get("export", "")
        if choice == "fhir":
            include_risk = request.POST.get("include_risk") == "on"
            body = exports.fhir_for_couple(user, couple.id, include_risk=include_risk)
            return _download(body, f"rebond-fhir-{couple.id}.json", "application/fhir+json")
        partner = couple.partners.filter(role=choice.removeprefix("person_")).first()
        if choice.startswith("person_") and partner is not None:
            body = exports.person_export(user, partner.id)
            return _download(body, f"rebond-person-{partner.id}.json", "application/json")
        return HttpResponse(_("Choose an export."), status=400, content_type="text/plain")
    partners = couple.partners.order_by("role")
    return render(request, "interop/case_exports.html", {"couple": couple, "partners": partners})


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def caseload_exports(request: HttpRequest) -> HttpResponse:
    """Show the caseload exports (GET); start the research CSV or FHIR bundle (POST) as a
    background job and go to its page, which offers the file once the worker has made it."""
    user = _clinician(request)
    if request.method == "POST":
        choice = request.POST.get("export", "")
        kinds = {
            "research": Kind.RESEARCH_CSV,
            "fhir": Kind.FHIR_CASELOAD,
        }
        if choice not in kinds:
            return HttpResponse(_("Choose an export."), status=400, content_type="text/plain")
        include_risk = request.POST.get("include_risk") == "on"
        job = jobs.start_export(user, kinds[choice], include_risk=include_risk)
        return redirect("interop:job", job_id=job.id)
    recent = access.jobs_of_clinician(user).exclude(kind=Kind.CSV_IMPORT)[:5]
    context = {"recent": recent, "file_hours": settings.BACKGROUND_FILE_HOURS}
    return render(request, "interop/caseload_exports.html", context)


@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Upload a CSV of historical scores for a case: all rows or none (access, then step-up).

    The file is checked (size, UTF-8) here; its rows are read and imported by the worker, and
    the job's page shows the progress, then how many check-ins were imported or every problem.
    """
    couple = access.get_couple_for_clinician(_clinician(request), couple_id)
    return _case_import(request, couple)


@recent_authentication_required()
def _case_import(request: HttpRequest, couple: Couple) -> HttpResponse:
    user = _clinician(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            job = jobs.start_import(user, couple, form.cleaned_data["file"])
            return redirect("interop:job", job_id=job.id)
        status = 422
    else:
        status = 200
    context = {"couple": couple, "form": form}
    return render(request, "interop/case_import.html", context, status=status)


def _job_context(job: BackgroundJob) -> dict[str, object]:
    return {
        "job": job,
        "expired": job.is_expired(),
        "expired_message": jobs.expired_message(job),
        "poll_seconds": JOB_POLL_SECONDS,
    }


@require_safe
def job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A background export or import: its progress, then its file or its report (410 once
    expired). Only the clinician who started it sees it (404 for anyone else)."""
    found = access.get_job_for_clinician(_clinician(request), job_id)
    context = _job_context(found)
    return render(request, "interop/job.html", context, status=410 if context["expired"] else 200)


@require_safe
def job_status(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The job's progress fragment, which the job's page polls (htmx) until the job ends."""
    found = access.get_job_for_clinician(_clinician(request), job_id)
    return render(request, "interop/_job_status.html", _job_context(found))


@require_safe
def job_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """Download a finished export (access, then step-up, as the synchronous export had)."""
    access.get_job_for_clinician(_clinician(request), job_id)
    return _job_download(request, job_id)


@recent_authentication_required()
def _job_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    try:
        found = jobs.file_for_download(_clinician(request), job_id)
    except jobs.JobRefused as refused:
        return render(
            request, "interop/job_refused.html", {"message": str(refused)}, status=refused.status
        )
    return _download(found.result, found.filename, found.content_type)


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the clinician's API tokens and create one (its text is shown once)."""
    user = _clinician(request)
    form = TokenForm(request.POST or None)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token, clear = tokens.create_token(user, form.cleaned_data["name"])
            context.update(new_token=clear, new_token_row=token, form=TokenForm())
        else:
            status = 422
    context["tokens"] = ApiToken.objects.filter(user=user)
    return render(request, "interop/api_tokens.html", context, status=status)


@require_POST
def api_token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    """Revoke one of the clinician's own tokens (someone else's looks like none: 404)."""
    user = _clinician(request)
    try:
        revoked = tokens.revoke_token(user, token_id)
    except ValidationError as exc:
        raise Http404("Not found.") from exc
    if not revoked:
        raise Http404("Not found.")
    return redirect("interop:api_tokens")


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """Show the API's documentation: django-ninja's Swagger UI, served from our static files.

    A clinician page like any other (login and second factor, SecondFactorMiddleware); the
    schema it loads answers the same session (rebond/interop/api.py, may_read_schema).
    """
    _clinician(request)
    swagger_settings = {
        "url": reverse("api:openapi-json"),
        "layout": "BaseLayout",
        # Deep links would put a link inside each operation's button (axe nested-interactive).
        "deepLinking": False,
        # Swagger UI otherwise sends the schema to validator.swagger.io for a badge.
        "validatorUrl": None,
        # A token typed into "Authorize" stays in the page's memory, never in localStorage.
        "persistAuthorization": False,
    }
    return render(request, "interop/api_docs.html", {"swagger_settings": swagger_settings})
