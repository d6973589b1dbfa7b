"""Every page in its reader's language, with the times of the clinic it is about.

Times are stored in UTC. For the length of one request, this middleware activates the zone of
the clinic the request belongs to (rebond/lib/clinic_time.py), so templates' `|date`,
`localtime()`, `localdate()` and date-time form fields all use the clinic's clocks; and the
language of the person reading (rebond/lib/language.py):

1. a clinic's public page (a URL with `clinic_slug`): that clinic's zone, and its default
   language unless the page's language switch asked for another (`?lang=es`: a link, not a
   cookie, so nothing stays in the browser of someone whose partner may look at it);
2. a signed-in clinician: their clinic's zone, and their own language or else the clinic's;
3. a partner on their private link: the zone of the link's clinic and the partner's language.

Anything else (the login page, a server operator without a clinic) stays in UTC, in the
language Django's LocaleMiddleware took from the browser. Zone and language are presentation,
never access: each view still fetches through its access rules.

It lives in portal, the lowest layer that knows a partner's private-link session; accounts,
below it, cannot ask about partners (docs/architecture.md, layers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from rebond.lib.clinic_time import zone_named
from rebond.lib.language import first_supported, supported

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])
# The query parameter of the public request page's language switch.
LANGUAGE_PARAMETER = "lang"


def no_clinic_time(view: ViewFunc) -> ViewFunc:
    """Mark a view whose response shows and reads no time: its requests skip the zone look-up
    (a query), which a hot path such as the check-in autosave does not need. Such a view, if it
    answers in words, activates its reader's language itself (portal.session.partner_required
    does for partners)."""
    view.shows_no_time = True  # type: ignore[attr-defined]
    return view


def _locale(request: HttpRequest, view_kwargs: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return (time zone name, language code) for this request; None where nobody decides."""
    from rebond.accounts.models import Clinic
    from rebond.couples.models import Partner
    from rebond.portal import session

    slug = view_kwargs.get("clinic_slug")
    if isinstance(slug, str):
        found = Clinic.objects.filter(slug=slug).values_list("timezone", "default_language")
        zone, default = found.first() or (None, None)
        asked = supported(request.GET.get(LANGUAGE_PARAMETER))
        return zone, asked or first_supported(default)
    user = request.user
    if user.is_authenticated:
        clinic = getattr(user, "clinic", None)
        return clinic.timezone if clinic is not None else None, user.preferred_language
    partner_id = session.claimed_partner_id(request)
    if partner_id is None:
        return None, None
    try:
        row = (
            Partner.objects.filter(id=partner_id)
            .values_list("couple__clinic__timezone", "language", "couple__clinic__default_language")
            .first()
        )
    except (ValueError, ValidationError):  # not a UUID: a session this server did not write
        return None, None
    if row is None:
        return None, None
    zone, language, default = row
    return zone, first_supported(language, default)


class ClinicLocaleMiddleware:
    """Activate the clinic's time zone and the reader's language for the view; UTC again after.

    The language is left active after the response: Django's LocaleMiddleware, outside this
    one, names it in the response's Content-Language and activates afresh for the next request.
    """

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
        zone, language = _locale(request, view_kwargs)
        if zone:
            timezone.activate(zone_named(zone))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
