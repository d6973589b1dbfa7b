"""Export, import and API-token pages (clinicians, after a recent re-authentication)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.models import User
from rebond.accounts.stepup import recent_authentication_required
from rebond.couples.models import Couple
from rebond.interop import exports, importer, tokens
from rebond.interop.forms import ImportForm, TokenForm
from rebond.interop.models import ApiToken


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
        return HttpResponse("Choose an export.", status=400, content_type="text/plain")
    partners = couple.partners.order_by("role")
    return render(request, "interop/case_exports.html", {"couple": couple, "partners": partners})


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def caseload_exports(request: HttpRequest) -> HttpResponse:
    """Show the caseload exports (GET); download the research CSV or FHIR bundle (POST)."""
    user = _clinician(request)
    if request.method == "POST":
        choice = request.POST.get("export", "")
        if choice == "research":
            return _download(exports.research_csv(user), "rebond-research.csv", "text/csv")
        if choice == "fhir":
            include_risk = request.POST.get("include_risk") == "on"
            body = exports.fhir_for_caseload(user, include_risk=include_risk)
            return _download(body, "rebond-fhir-caseload.json", "application/fhir+json")
        return HttpResponse("Choose an export.", status=400, content_type="text/plain")
    return render(request, "interop/caseload_exports.html", {})


@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Upload a CSV of historical scores for a case: all rows or none (access, then step-up)."""
    couple = access.get_couple_for_clinician(_clinician(request), couple_id)
    return _case_import(request, couple)


@recent_authentication_required()
def _case_import(request: HttpRequest, couple: Couple) -> HttpResponse:
    user = _clinician(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"couple": couple, "form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                records = importer.parse_csv(form.cleaned_data["file"])
                created = importer.import_records(user, couple.id, records)
            except importer.ImportRejected as rejected:
                context["errors"] = rejected.errors
                status = 422
            else:
                context["imported"] = len(created)
        else:
            status = 422
    return render(request, "interop/case_import.html", context, status=status)


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
