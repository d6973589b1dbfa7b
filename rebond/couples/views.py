"""The clinician's caseload and the couple's case page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render

from rebond.accounts import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.couples.models import Couple


@dataclass(frozen=True)
class CaseloadRow:
    couple: Couple
    role: str


def _role_on_case(user: User, couple: Couple, co_ids: set[uuid.UUID]) -> str:
    if couple.primary_clinician_id == user.id:
        return "Primary clinician"
    if couple.id in co_ids:
        return "Co-clinician"
    return "Supervisor"


def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the active couples the clinician works on."""
    user = request.user
    couples = list(
        access.couples_for_clinician(user)
        .exclude(status__in=Couple.INACTIVE_STATUSES)
        .select_related("primary_clinician")
        .prefetch_related("partners")
        .order_by("label")
    )
    co_ids = set(
        Couple.co_clinicians.through.objects.filter(
            user_id=user.id, couple_id__in=[c.id for c in couples]
        ).values_list("couple_id", flat=True)
    )
    rows = [CaseloadRow(c, _role_on_case(user, c, co_ids)) for c in couples]
    return render(request, "couples/caseload.html", {"couples": couples, "rows": rows})


def case(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show one couple's case, if the clinician works on it."""
    user = request.user
    couple = access.get_couple_for_clinician(user, couple_id)
    return render(
        request, "couples/case.html", {"couple": couple, "partners": couple.partners.all()}
    )
