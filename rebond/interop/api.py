"""The JSON API (django-ninja): cases, administrations, scores and alerts, read-only.

A request carries `Authorization: Bearer <token>`; the token's clinician reaches exactly what
they reach on the web, through the same functions of rebond/access/. A refused
fetch is a 404, like the web's. Every read is audited as `read:api_<operation>`.

The OpenAPI schema answers a clinician only: one holding a live token, or one logged in with
the second factor done (the documentation page, rebond/interop/views.py `api_docs`, loads it
with the session).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from rebond import access, audit
from rebond.accounts import mfa
from rebond.accounts.models import User
from rebond.interop.tokens import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


api = NinjaAPI(
    title="Rebond API",
    version="1",
    description="Read-only access to cases, check-ins, scores and alerts (docs/interop.md).",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,
)


class Message(Schema):
    detail: str


class CaseOut(Schema):
    id: uuid.UUID
    label: str
    status: str
    opened_at: datetime


class AdministrationOut(Schema):
    id: uuid.UUID
    couple_id: uuid.UUID
    partner_role: str
    instrument: str
    occasion: str
    status: str
    due_at: datetime
    submitted_at: datetime | None


class ScoresOut(Schema):
    administration_id: uuid.UUID
    instrument: str
    scores: dict[str, float | None]
    total: float | None
    band: str
    complete: bool


class AlertOut(Schema):
    id: uuid.UUID
    couple_id: uuid.UUID
    type: str
    severity: int
    status: str
    created_at: datetime


class InvalidInput(Schema):
    detail: list[dict[str, Any]]


ERRORS = {401: Message, 404: Message, 422: InvalidInput}


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):  # TokenAuth only lets a clinician through
        raise Http404("Not found.")
    return user


def _audit(user: User, operation: str, object_type: str = "", object_id: str = "") -> None:
    with transaction.atomic():
        audit.log(
            actor=user,
            action=f"read:api_{operation}",
            object_type=object_type,
            object_id=object_id,
            clinic_id=user.clinic_id,
        )


def _administration_out(a: object) -> AdministrationOut:
    return AdministrationOut(
        id=a.id,  # type: ignore[attr-defined]
        couple_id=a.couple_id,  # type: ignore[attr-defined]
        partner_role=a.partner.role,  # type: ignore[attr-defined]
        instrument=a.instrument_code,  # type: ignore[attr-defined]
        occasion=a.occasion,  # type: ignore[attr-defined]
        status=a.status,  # type: ignore[attr-defined]
        due_at=a.due_at,  # type: ignore[attr-defined]
        submitted_at=a.submitted_at,  # type: ignore[attr-defined]
    )


@api.get("/cases", response={200: list[CaseOut], **ERRORS}, operation_id="list_cases")
def list_cases(request: HttpRequest) -> list[CaseOut]:
    """List the cases the token's clinician works on."""
    user = _user(request)
    _audit(user, "list_cases")
    return [
        CaseOut(id=c.id, label=c.label, status=c.status, opened_at=c.opened_at)
        # Labels are encrypted at rest: ordered here, not in SQL.
        for c in sorted(access.couples_for_clinician(user), key=lambda c: c.label.casefold())
    ]


@api.get("/cases/{couple_id}", response={200: CaseOut, **ERRORS}, operation_id="get_case")
def get_case(request: HttpRequest, couple_id: uuid.UUID) -> CaseOut:
    """Return one case."""
    user = _user(request)
    _audit(user, "get_case", "couple", str(couple_id))
    c = access.get_couple_for_clinician(user, couple_id)
    return CaseOut(id=c.id, label=c.label, status=c.status, opened_at=c.opened_at)


@api.get(
    "/cases/{couple_id}/administrations",
    response={200: list[AdministrationOut], **ERRORS},
    operation_id="list_administrations",
)
def list_administrations(request: HttpRequest, couple_id: uuid.UUID) -> list[AdministrationOut]:
    """List a case's check-ins (administrations), newest first."""
    user = _user(request)
    _audit(user, "list_administrations", "couple", str(couple_id))
    couple = access.get_couple_for_clinician(user, couple_id)
    rows = (
        access.administrations_for_clinician(user)
        .filter(couple=couple)
        .select_related("partner")
        .order_by("-due_at")
    )
    return [_administration_out(a) for a in rows]


@api.get(
    "/administrations/{administration_id}/scores",
    response={200: ScoresOut, **ERRORS},
    operation_id="get_scores",
)
def get_scores(request: HttpRequest, administration_id: uuid.UUID) -> ScoresOut:
    """Return the scores of a submitted check-in (404 while it is not submitted)."""
    user = _user(request)
    _audit(user, "get_scores", "administration", str(administration_id))
    administration = access.get_administration_for_clinician(user, administration_id)
    submission = getattr(administration, "submission", None)
    if submission is None:
        raise Http404("Not submitted yet.")
    return ScoresOut(
        administration_id=administration.id,
        instrument=administration.instrument_code,
        scores=submission.scores,
        total=submission.total,
        band=submission.band,
        complete=submission.complete,
    )


@api.get("/alerts", response={200: list[AlertOut], **ERRORS}, operation_id="list_alerts")
def list_alerts(request: HttpRequest) -> list[AlertOut]:
    """List the alerts addressed or escalated to the token's clinician."""
    user = _user(request)
    _audit(user, "list_alerts")
    return [
        AlertOut(
            id=a.id,
            couple_id=a.couple_id,
            type=a.type,
            severity=a.severity,
            status=a.status,
            created_at=a.created_at,
        )
        for a in access.alerts_for_clinician(user).order_by("-created_at")
    ]


def may_read_schema(request: HttpRequest) -> bool:
    """Return whether the request comes from a clinician allowed to read the OpenAPI schema.

    Either a live token (a token is created only behind the second factor), or a logged-in
    clinician's session past the second factor, as for every other clinician page.
    """
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and mfa.is_session_verified(request):
        return True
    return TokenAuth()(request) is not None


def _clinicians_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def schema(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_read_schema(request):
            # Like the operations without a token: 401, never a redirect to a login page.
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return view(request, *args, **kwargs)

    return schema


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """Return the API's URL patterns, exempt from the session login (the token is the login)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name == "openapi-json":
            # The schema is a document: GET (and HEAD) only, like every other page; it is
            # read by a token's clinician or a verified session (may_read_schema).
            pattern.callback = require_safe(_clinicians_only(pattern.callback))
        pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns, app_name, namespace
