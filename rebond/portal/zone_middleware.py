"""Every page shows and reads times in the time zone of the clinic it is about.

Times are stored in UTC. For the length of one request, this middleware activates the zone of
the clinic the request belongs to (rebond/lib/clinic_time.py), so templates' `|date`,
`localtime()`, `localdate()` and date-time form fields all use the clinic's clocks:

1. a clinic's public page (a URL with `clinic_slug`): that clinic;
2. a signed-in clinician: their clinic;
3. a partner on their private link: the clinic of the link's couple.

Anything else (the login page, a server operator without a clinic) stays in UTC. The zone is
presentation, never access: each view still fetches through its access rules.

It lives in portal, the lowest layer that knows a partner's private-link session; accounts,
below it, cannot ask about partners (docs/architecture.md, layers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from rebond.lib.clinic_time import zone_named

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def no_clinic_time(view: ViewFunc) -> ViewFunc:
    """Mark a view whose response shows and reads no time: its requests skip the zone look-up
    (a query), which a hot path such as the check-in autosave does not need."""
    view.shows_no_time = True  # type: ignore[attr-defined]
    return view


def _zone_name(request: HttpRequest, view_kwargs: dict[str, Any]) -> str | None:
    from rebond.accounts.models import Clinic
    from rebond.couples.models import Partner
    from rebond.portal import session

    slug = view_kwargs.get("clinic_slug")
    if isinstance(slug, str):
        return Clinic.objects.filter(slug=slug).values_list("timezone", flat=True).first()
    user = request.user
    if user.is_authenticated:
        clinic = getattr(user, "clinic", None)
        return clinic.timezone if clinic is not None else None
    partner_id = session.claimed_partner_id(request)
    if partner_id is None:
        return None
    try:
        return (
            Partner.objects.filter(id=partner_id)
            .values_list("couple__clinic__timezone", flat=True)
            .first()
        )
    except (ValueError, ValidationError):  # not a UUID: a session this server did not write
        return None


class ClinicTimeZoneMiddleware:
    """Activate the clinic's time zone for the view and its templates; UTC again after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is per thread: the next request served by this thread starts from UTC.
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if getattr(view_func, "shows_no_time", False):
            return
        name = _zone_name(request, view_kwargs)
        if name:
            timezone.activate(zone_named(name))
