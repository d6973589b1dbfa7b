"""Every URL needs a clinician's login except an explicit public allowlist, and every
clinician URL needs the second factor too, except the second factor's own pages.

Walks the whole URL resolver (after 18F's tock `test_url_auth.py`), so a view added without
thought is caught here rather than in production.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)

from rebond.accounts.models import User
from rebond.ops.health import safety_sweep_beat
from rebond.test import make_clinic, sign_in_password_only

pytestmark = pytest.mark.django_db

# The only views an anonymous visitor may reach, by URL name. Adding to this list is a
# security decision: say why beside the entry.
PUBLIC_URL_NAMES = {
    "login",  # Clinicians need a way in.
    # Someone asking a clinic for a consultation has no account; the page is rate-limited,
    # has a honeypot, shows only the clinic's name and crisis resources, and stores nothing
    # it is not sent (rebond/intake).
    "consultation_request",
    # Its receipt (Post/Redirect/Get): thanks, and crisis resources, only for the browser whose
    # session just sent a request, for 30 minutes; anyone else is sent to the form.
    "consultation_request_sent",
    # Choosing a time for the free consultation, and its calendar file (rebond/appointments/
    # consultation_views.py): only for the browser whose session just sent a request, within
    # the receipt's 30 minutes, where the clinic opted in; a dropped (honeypot) submission has
    # no request and is offered nothing; anyone else is sent to the form. The file is titled
    # "Appointment" and holds a time only.
    "consultation_time",
    "consultation_time_ics",
    # The calm "you have left your space" page after a partner logs out: static text only.
    "portal:left",
    # A forgotten password (rebond/accounts/passwords.py): the same answer for every address,
    # throttled per address and client, and nothing looked up shows; its "check your e-mail"
    # page is static text; the e-mailed link answers only its token (30 minutes, single use)
    # and then asks for the second factor before any clinician page.
    "password_reset",
    "password_reset_sent",
    "password_reset_confirm",
    # The health check for load balancers and monitoring (rebond/ops): "ok" or which check
    # failed (database, worker, safety sweep), no version, no counts, no clinical content;
    # writes nothing.
    "healthz",
    # The scripts' words in one shipped language (rebond/lib/javascript_catalogue.py): the
    # same catalogue for everyone, no data; any other language is a 404.
    "javascript_catalogue",
}
# Pages for a partner, who never logs in: @login_not_required, but each answers only a
# private-link session (rebond/portal/session.py) and otherwise shows the same 404 page.
PRIVATE_LINK_URL_NAMES = {
    "portal:open_link",  # The link itself: a 256-bit token swapped for a session.
    # The PIN page answers only a session holding a just-opened link of a partner with a PIN
    # (ids only, never the token); five wrong PINs revoke that link.
    "portal:pin",
    # A PIN of the partner's own choosing, and "I have read" the notice that their link was
    # opened in another browser: both POST, both only in the partner's own session.
    "portal:choose_pin",
    "portal:elsewhere_seen",
    "portal:home",
    "portal:set_goal",
    "portal:channel_not_safe",
    "portal:channel_hours",
    "portal:agreement",
    "portal:agree",
    "portal:withdraw",
    "portal:leave",
    # Check-ins (rebond/assessments): each reaches only the session partner's own
    # administrations through access.get_administration_for_partner; another partner's id
    # answers the same 404 as a missing one (SECURITY.md LK-03).
    "checkin_list",  # The partner's own open check-ins, by neutral number.
    "checkin",  # One of their own questionnaires.
    "checkin_autosave",  # Saves one of their own answers to their own draft.
    "checkin_submit",  # Submits their own questionnaire with its server-issued key.
    # Their own scores over time (rebond/measurement/summary.py): only the session partner's
    # non-risk submissions; the couple chart only when both consented and no concern is open.
    "my_progress",
    "my_progress_chart",
    "checkin_receipt",  # Thanks, and crisis resources on their own screen after a risk flag.
    # A calendar file of one of their own appointments (rebond/appointments/partner_views.py):
    # only through access.get_appointment_for_partner, so the other partner's individual
    # session answers the same 404 as a missing one (DOMAIN 7.5 rule 4).
    "appointment_calendar_file",
    # The reading shelf (rebond/shelf/partner_views.py): the pages given to the session partner
    # or to both partners, published and not withdrawn, through
    # access.get_page_assignment_for_partner; a page given only to the other partner answers the
    # same 404 as a missing one.
    "my_reading",
    "my_reading_page",
    # The diary (rebond/diary/partner_views.py): the session partner's own entries through
    # access.get_own_diary_entry (another partner's id answers the same 404 as a missing one),
    # and only the entries the other partner shared (access.entries_shared_with).
    "diary:diary",
    "diary:write",
    "diary:help",  # Crisis resources after their own "not safe right now" entry.
    "diary:share",
    "diary:stop_sharing",
    # The partner's own data (rebond/interop/partner_views.py): the page and its two files,
    # read through person.own_data (the partner-scoped access functions): nothing of the other
    # partner but the diary entries they share now (access.entries_shared_with).
    "my_data",
    "my_data_json",
    "my_data_pdf",
}
# An invited clinician's enrolment (rebond/staff/views.py): @login_not_required, as they have
# no password yet. The link's 256-bit token is the credential; the password page answers only
# a session holding a link that is still usable; anyone else gets the same 404 page. Setting
# the password logs them in with the second factor still to do (SecondFactorMiddleware).
ENROLMENT_URL_NAMES = {
    "enrolment_link",  # The link itself, swapped for a session (GET only; spends nothing).
    "enrolment_password",  # Choose the password, once, under AUTH_PASSWORD_VALIDATORS.
}
# A clinician's private calendar feed (rebond/appointments/feed_views.py): a calendar app
# reads it with no session, so the 256-bit secret in its address is the credential; only its
# SHA-256 is stored; an unknown, revoked or deactivated clinician's address gets one 404;
# neutral titles, no partner, purpose or video link (issue 18).
CALENDAR_FEED_URL_NAMES = {"calendar_feed"}
# The JSON API (rebond/interop/api.py): no session login, a bearer token instead. Every
# operation answers 401 without a live token of an active clinician and then reaches only
# what that clinician reaches on the web (rebond/access/); the OpenAPI schema answers a
# live token too, or a clinician's session past the second factor (the documentation page).
API_URL_NAMES = {
    "api:api-root",
    "api:openapi-json",
    "api:list_cases",
    "api:get_case",
    "api:list_administrations",
    "api:get_scores",
    "api:list_alerts",
}
# Public pages whose URL names a row: the row the test creates for it.
PUBLIC_URL_KWARGS: dict[str, dict[str, str]] = {
    "consultation_request": {"clinic_slug": "sample"},
    "consultation_request_sent": {"clinic_slug": "sample"},
    "consultation_time": {"clinic_slug": "sample"},
    "consultation_time_ics": {"clinic_slug": "sample"},
    # No account and no token: the page that says the link does not work.
    "password_reset_confirm": {"uidb64": "sample", "token": "sample"},
    "javascript_catalogue": {"language": "es"},
}

SAMPLE_VALUES: dict[type, Any] = {
    UUIDConverter: uuid.UUID("00000000-0000-4000-8000-000000000000"),
    IntConverter: 1,
    SlugConverter: "sample",
    StringConverter: "sample",
    PathConverter: "sample/path",
}


def iter_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Yield (namespace prefix, pattern) for every leaf pattern, however deeply included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, inner)
        else:
            yield namespace, entry


def all_named_urls() -> list[tuple[str, str, Any]]:
    """Return (name, sample URL, view) for every named URL in the project."""
    urls = []
    for namespace, pattern in iter_patterns(get_resolver().url_patterns):
        assert pattern.name, f"Every URL needs a name; {pattern.pattern} has none."
        name = namespace + pattern.name
        kwargs = {
            key: SAMPLE_VALUES[type(conv)] for key, conv in pattern.pattern.converters.items()
        }
        urls.append((name, reverse(name, kwargs=kwargs), pattern.callback))
    return urls


def test_the_resolver_has_urls_to_check() -> None:
    names = {name for name, _, _ in all_named_urls()}
    assert {"login", "logout", "caseload", "case", "home"} <= names


NON_PUBLIC = [
    (name, url)
    for name, url, _ in all_named_urls()
    if name
    not in PUBLIC_URL_NAMES
    | PRIVATE_LINK_URL_NAMES
    | ENROLMENT_URL_NAMES
    | API_URL_NAMES
    | CALENDAR_FEED_URL_NAMES
]


@pytest.mark.parametrize(("name", "url"), NON_PUBLIC, ids=[name for name, _ in NON_PUBLIC])
def test_every_non_public_url_sends_an_anonymous_visitor_to_login(
    client: Client, name: str, url: str
) -> None:
    r = client.get(url)
    assert r.status_code == 302, f"{name} answered {r.status_code} to an anonymous visitor"
    assert r["Location"].startswith(reverse("login")), r["Location"]


def test_the_public_allowlist_is_exactly_the_views_marked_public() -> None:
    marked_public = {
        name for name, _, view in all_named_urls() if getattr(view, "login_required", True) is False
    }
    assert (
        marked_public
        == PUBLIC_URL_NAMES
        | PRIVATE_LINK_URL_NAMES
        | ENROLMENT_URL_NAMES
        | API_URL_NAMES
        | CALENDAR_FEED_URL_NAMES
    )


@pytest.mark.parametrize("name", sorted(API_URL_NAMES))
def test_every_api_operation_refuses_a_visitor_without_a_token(client: Client, name: str) -> None:
    url = next(url for n, url, _ in all_named_urls() if n == name)
    assert client.get(url).status_code in (401, 404)


PRIVATE_LINK = [
    (n, u)
    for n, u, _ in all_named_urls()
    if n in PRIVATE_LINK_URL_NAMES | ENROLMENT_URL_NAMES | CALENDAR_FEED_URL_NAMES
]


@pytest.mark.parametrize(("name", "url"), PRIVATE_LINK, ids=[name for name, _ in PRIVATE_LINK])
def test_private_link_pages_show_an_anonymous_visitor_nothing(
    client: Client, name: str, url: str
) -> None:
    # 404 (the one "not valid" page), or 405 for a GET of a form-post address.
    assert client.get(url).status_code in (404, 405), name
    assert client.post(url).status_code in (404, 405), name


# Public pages that send a visitor who has nothing to see there to another public page.
PUBLIC_URL_REDIRECTS = {
    "consultation_request_sent": "consultation_request",
    "consultation_time": "consultation_request",
    "consultation_time_ics": "consultation_request",
}


@pytest.mark.parametrize("name", sorted(PUBLIC_URL_NAMES))
def test_public_pages_answer_an_anonymous_visitor(client: Client, name: str) -> None:
    make_clinic("Sample clinic", slug="sample")
    safety_sweep_beat()  # A healthy installation, for /healthz.
    kwargs = PUBLIC_URL_KWARGS.get(name)
    r = client.get(reverse(name, kwargs=kwargs))
    if name in PUBLIC_URL_REDIRECTS:
        assert r.status_code == 302
        assert r["Location"] == reverse(PUBLIC_URL_REDIRECTS[name], kwargs=kwargs)
    else:
        assert r.status_code == 200


# Clinician views reachable after the password alone (SECURITY.md AU-01): the second factor's
# own pages (a code, or a passkey and its challenge), and the way out. Each shows nothing
# clinical.
SECOND_FACTOR_URL_NAMES = {
    "mfa_enrol",
    "mfa_verify",
    "passkey_verify",
    "passkey_authentication_options",
    "logout",
}
CLINICIAN = [(n, u) for n, u in NON_PUBLIC if n not in SECOND_FACTOR_URL_NAMES]


@pytest.mark.parametrize(("name", "url"), CLINICIAN, ids=[name for name, _ in CLINICIAN])
def test_every_clinician_url_refuses_a_session_without_the_second_factor(
    client: Client, alice: User, name: str, url: str
) -> None:
    sign_in_password_only(client, alice)
    for method in ("get", "post"):
        r = getattr(client, method)(url)
        assert r.status_code == 302, f"{method.upper()} {name} answered {r.status_code}"
        assert r["Location"].startswith(reverse("mfa_verify")), r["Location"]


def test_the_second_factor_allowlist_is_exactly_the_views_marked_so() -> None:
    marked = {
        name
        for name, _, view in all_named_urls()
        if getattr(view, "second_factor_not_required", False)
    }
    assert marked == SECOND_FACTOR_URL_NAMES
