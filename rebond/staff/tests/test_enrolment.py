"""The enrolment pages (rebond/staff/views.py): the link is swapped for a session and leaves
no trace (Referer, logs); the password follows the current rules and is set once; the
clinician is then logged in with the second factor still to do; every dead link gets the
same page."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, User
from rebond.lib.logs import RedactLinks, redact
from rebond.ops.logging import JsonFormatter, NoRequestPaths, RequestIdFilter
from rebond.staff import invitations
from rebond.staff.models import Invitation
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tidal harbour lantern moss"  # Synthetic test value only.
PASSWORD_PAGE = "/enrol/"


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    # Ada is Clinic A's admin: she invites.
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture
def invited(clinic_a: Clinic, admin: User) -> tuple[Invitation, str]:
    """Tess, invited as a therapist; her link's path (/enrol/<token>/)."""
    invitation, link = invitations.invite(
        clinic_a,
        email="tess@example.org",
        display_name="Tess Therapist",
        roles={User.Role.THERAPIST},
        invited_by=admin,
    )
    return invitation, link.removeprefix("http://127.0.0.1:8000")


def without_csrf(content: bytes) -> bytes:
    """The page without what differs per response: its CSRF token and its scripts' CSP nonce."""
    content = re.sub(rb' nonce="[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def choose(client: Client, password: str, again: str | None = None) -> Any:
    return client.post(
        PASSWORD_PAGE,
        {"password": password, "password_again": password if again is None else again},
    )


def test_the_link_is_swapped_for_a_session_and_the_password_page_has_no_token(
    client: Client, invited: tuple[Invitation, str]
) -> None:
    invitation, path = invited
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == PASSWORD_PAGE
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    token = path.strip("/").rsplit("/", 1)[1]
    assert token not in text
    # Who, where, until when, and the password rules in force (AUTH_PASSWORD_VALIDATORS).
    assert "Welcome to Clinic A on Rebond, Tess Therapist" in text
    assert "tess@example.org" in text
    assert invitations.local_expiry(invitation) in text
    assert "Your password must contain at least 12 characters." in text
    assert "be a commonly used password" in text
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cache-Control"] == "no-store"
    # Opening the link spent nothing: a mail scanner's GET does no harm.
    invitation.refresh_from_db()
    assert invitation.is_usable


@pytest.mark.parametrize(
    ("password", "again", "error"),
    [
        ("short pass", None, "This password is too short. It must contain at least 12"),
        ("password1234", None, "This password is too common."),
        ("tess@example.org", None, "The password is too similar to the"),
        (NEW_PASSWORD, "tidal harbour lantern mass", "The two passwords are not the same."),
    ],
)
def test_a_password_against_the_rules_is_refused_and_the_link_still_works(
    client: Client, invited: tuple[Invitation, str], password: str, again: str | None, error: str
) -> None:
    invitation, path = invited
    client.get(path)
    response = choose(client, password, again)
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>Error: Choose your password" in text
    assert 'class="error-summary"' in text
    assert error in text
    invitation.refresh_from_db()
    assert invitation.is_usable
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_a_long_passphrase_sets_the_password_logs_in_and_sends_on_to_the_authenticator(
    client: Client, invited: tuple[Invitation, str]
) -> None:
    invitation, path = invited
    client.get(path)
    passphrase = "a long passphrase of lowercase words " * 3  # 111 characters: accepted
    response = choose(client, passphrase)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_enrol")
    user = User.objects.get(pk=invitation.user_id)
    assert user.check_password(passphrase)
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    # Logged in with the password alone: every clinician page waits behind the enrolment.
    assert client.session["_auth_user_id"] == str(user.pk)
    assert mfa.SESSION_KEY not in client.session
    caseload = client.get(reverse("caseload"))
    assert caseload.status_code == 302
    assert caseload["Location"].startswith(reverse("mfa_enrol"))
    assert client.get(reverse("mfa_enrol")).status_code == 200
    # The link, and the page, are spent.
    assert client.get(PASSWORD_PAGE).status_code == 403  # logged in now
    assert Client().get(path).status_code == 404


def test_every_dead_link_gets_the_same_page(
    client: Client, invited: tuple[Invitation, str], admin: User
) -> None:
    invitation, path = invited
    unknown = Client().get("/enrol/" + "x" * 43 + "/")
    overlong = Client().get("/enrol/" + "x" * 500 + "/")
    bodies = {without_csrf(unknown.content), without_csrf(overlong.content)}
    assert unknown.status_code == overlong.status_code == 404
    assert "ask your clinic admin to send you a new invitation" in unknown.content.decode()

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=now() - timedelta(seconds=1))
    expired = Client().get(path)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=now() + timedelta(hours=1))
    new_path = invitations.resend(invitation, by=admin).removeprefix("http://127.0.0.1:8000")
    replaced = Client().get(path)
    client.get(new_path)
    choose(client, NEW_PASSWORD)
    used = Client().get(new_path)
    second, second_path = invitations.invite(
        invitation.clinic,
        email="sam@example.org",
        display_name="Sam",
        roles={"therapist"},
        invited_by=admin,
    )
    invitations.cancel(second, by=admin)
    cancelled = Client().get(second_path.removeprefix("http://127.0.0.1:8000"))
    for response in (expired, replaced, used, cancelled):
        assert response.status_code == 404
        bodies.add(without_csrf(response.content))
    assert len(bodies) == 1


def test_a_session_whose_link_was_replaced_or_cancelled_meanwhile_sets_nothing(
    invited: tuple[Invitation, str], admin: User
) -> None:
    invitation, path = invited
    first, second = Client(), Client()
    first.get(path)
    second.get(path)
    first.get(PASSWORD_PAGE)
    second.get(PASSWORD_PAGE)
    # Two tabs (or two people) with the same link: the first password wins, once.
    assert choose(first, NEW_PASSWORD).status_code == 302
    late = choose(second, "another long password here")
    assert late.status_code == 404
    assert User.objects.get(pk=invitation.user_id).check_password(NEW_PASSWORD)

    other, other_link = invitations.invite(
        invitation.clinic,
        email="sam@example.org",
        display_name="Sam",
        roles={"therapist"},
        invited_by=admin,
    )
    browser = Client()
    browser.get(other_link.removeprefix("http://127.0.0.1:8000"))
    invitations.resend(other, by=admin)  # the admin sends a new link meanwhile
    assert choose(browser, NEW_PASSWORD).status_code == 404
    assert not User.objects.get(pk=other.user_id).has_usable_password()


def test_a_logged_in_clinician_opening_a_link_is_told_to_log_out_first(
    client: Client, invited: tuple[Invitation, str], admin: User
) -> None:
    invitation, path = invited
    sign_in(client, admin)
    response = client.get(path)
    assert response.status_code == 403
    assert "You are logged in" in response.content.decode()
    # Any link, usable or not, gets that page (its log-out form's CSRF token aside).
    unknown = client.get("/enrol/" + "y" * 43 + "/")
    assert without_csrf(unknown.content) == without_csrf(response.content)
    assert client.session["_auth_user_id"] == str(admin.pk)  # still logged in
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_the_password_page_without_a_link_shows_the_dead_link_page(client: Client) -> None:
    assert client.get(PASSWORD_PAGE).status_code == 404
    assert client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD}).status_code == 404
    session = client.session
    session["rebond.enrolment"] = {"invitation": "not a uuid", "token_hash": "x"}
    session.save()
    assert client.get(PASSWORD_PAGE).status_code == 404


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Capture every log record, formatted as production's console handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for log_filter in (RedactLinks(), NoRequestPaths(), RequestIdFilter()):
        handler.addFilter(log_filter)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_the_token_reaches_no_log_line(
    client: Client, invited: tuple[Invitation, str], log_lines: io.StringIO
) -> None:
    _, path = invited
    token = path.strip("/").rsplit("/", 1)[1]
    client.get(path)
    Client().get("/enrol/" + token[::-1] + "/")  # a dead link: Django logs the 404
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    routes = [line["route"] for line in lines if line["logger"] == "rebond.requests"]
    assert routes == ["enrolment_link", "enrolment_link"]
    assert token not in log_lines.getvalue()
    assert token[::-1] not in log_lines.getvalue()
    # gunicorn's access lines and the development server's lines go through the same redaction.
    assert redact(f"GET {path} HTTP/1.1") == "GET /enrol/-/ HTTP/1.1"
    assert redact(f"https://rebond.example.org{path}") == "https://rebond.example.org/enrol/-/"
    assert redact("GET /enrol/ HTTP/1.1") == "GET /enrol/ HTTP/1.1"
