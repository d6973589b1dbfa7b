"""The gateway through which every clinical query passes.

Rules (DOMAIN.md 7.5, SECURITY.md 1.4 "enforce it in one place"):

1. A clinician sees only their own clinic's rows. This filter comes first and is unconditional,
   so clinic B's data cannot be reached from clinic A even by a bug further down.
2. Within the clinic, a clinician sees a couple's case only when they are its primary
   clinician, a co-clinician, or its assigned supervisor. A clinic admin sees no clinical data
   through being an admin.
3. A fetch that is not allowed looks exactly like a fetch of a row that does not exist (404),
   so ids cannot be probed.

Views, API endpoints, exports and background jobs call these functions; they never build
clinical querysets themselves. Each condition sits on its own line so that coverage shows every
case is tested (zulip's `access_stream_by_id` convention).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from rebond.accounts.models import User
from rebond.couples.models import Couple, Partner


def _clinic_id(user: User) -> uuid.UUID | None:
    """Return the clinic whose data the user may reach, or None for no clinic at all."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    return user.clinic_id


def couples_for_clinician(user: User) -> QuerySet[Couple]:
    """Return the couples whose case the clinician works on, in their clinic only."""
    clinic_id = _clinic_id(user)
    if clinic_id is None:
        return Couple.objects.none()
    on_case = Q(primary_clinician=user) | Q(co_clinicians=user) | Q(supervisor=user)
    # The subquery keeps the result free of duplicate rows from the co-clinician join while
    # staying a plain queryset that callers can filter, order and annotate further.
    ids = Couple.objects.filter(clinic_id=clinic_id).filter(on_case).values("id")
    return Couple.objects.filter(clinic_id=clinic_id, id__in=ids)


def get_couple_for_clinician(user: User, couple_id: uuid.UUID | str) -> Couple:
    """Return one couple the clinician works on, or raise Http404 (never 403: no probing)."""
    try:
        return couples_for_clinician(user).get(id=couple_id)
    except (Couple.DoesNotExist, ValidationError) as exc:
        raise Http404("No such case.") from exc


def partners_for_clinician(user: User) -> QuerySet[Partner]:
    """Return the partners of the couples the clinician works on."""
    return Partner.objects.filter(couple__in=couples_for_clinician(user))
