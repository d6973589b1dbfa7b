"""What every rule of the gateway starts from: the user's clinic, and a refusal that looks like
a missing row."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from rebond.accounts.models import User

M = TypeVar("M", bound=Model)


def clinic_id_of(user: User) -> uuid.UUID | None:
    """Return the clinic whose data the user may reach, or None for no clinic at all."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    return user.clinic_id


def get_or_404(queryset: QuerySet[M], object_id: uuid.UUID | str, **nested_in: object) -> M:
    """Return the row with this id in the queryset (and under `nested_in`, e.g. its couple),
    or raise Http404: a refused fetch looks exactly like a fetch of a row that does not exist."""
    try:
        return queryset.get(id=object_id, **nested_in)
    except (ObjectDoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc
