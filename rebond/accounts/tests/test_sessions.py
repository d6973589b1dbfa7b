"""Clinician session limits (SECURITY.md header point 6, SE-02) and logout (SE-03)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import middleware
from rebond.accounts.models import User
from rebond.couples.models import Partner
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.t0 = now()
        self.at = self.t0
        monkeypatch.setattr(middleware, "now", lambda: self.at)

    def move(self, **delta: float) -> None:
        self.at = self.t0 + timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def is_logged_out(client: Client) -> bool:
    r = client.get(reverse("caseload"))
    return r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_a_fresh_sign_in_session_is_just_started(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200


def test_idle_for_fifteen_minutes_logs_out_with_a_calm_message(
    client: Client, alice: User, clock: Clock
) -> None:
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200
    clock.move(minutes=14, seconds=50)
    assert client.get(reverse("caseload")).status_code == 200
    clock.move(minutes=14, seconds=50 + 15 * 60 + 1)
    r = client.get(reverse("caseload"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))
    page = client.get(r["Location"])
    assert "logged out after a period of inactivity" in page.text
    assert is_logged_out(client)


def test_activity_keeps_the_session_until_twelve_hours(
    client: Client, alice: User, clock: Clock
) -> None:
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200
    minutes = 0
    while minutes + 5 < 12 * 60:
        minutes += 5
        clock.move(minutes=minutes)
        assert client.get(reverse("caseload")).status_code == 200, minutes
    clock.move(hours=12, seconds=1)
    r = client.get(reverse("caseload"))
    assert r.status_code == 302
    assert "at most 12 hours" in client.get(r["Location"]).text
    assert is_logged_out(client)


def test_the_idle_clock_is_saved_at_most_once_a_minute(
    client: Client, alice: User, clock: Clock
) -> None:
    sign_in(client, alice)
    client.get(reverse("caseload"))
    seen = client.session[middleware.SESSION_KEY]["seen"]
    clock.move(seconds=30)
    client.get(reverse("caseload"))
    assert client.session[middleware.SESSION_KEY]["seen"] == seen
    clock.move(seconds=61)
    client.get(reverse("caseload"))
    assert client.session[middleware.SESSION_KEY]["seen"] == (clock.at).isoformat()


def open_partner_space(client: Client, partner: Partner, by: User) -> None:
    token = new_token()
    PrivateLink.objects.create(
        partner=partner,
        purpose=PrivateLink.Purpose.INVITATION,
        token_hash=hash_token(token),
        created_by=by,
        expires_at=now() + timedelta(days=14),
    )
    assert client.get(f"/p/{token}/")["Location"] == "/me/"


def test_the_partner_session_keeps_its_own_limits(
    client: Client, alice: User, clock: Clock
) -> None:
    partner = make_couple(alice).partners.first()
    assert partner is not None
    open_partner_space(client, partner, alice)
    before = client.get("/me/").status_code
    assert before != 404
    clock.move(hours=13)  # Far past both clinician limits; the portal's own clock is real time.
    assert client.get("/me/").status_code == before
    assert middleware.SESSION_KEY not in client.session


def test_logout_clears_the_session_and_the_browser(client: Client, alice: User) -> None:
    sign_in(client, alice)
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    # Every cookie but the trusted-browser one (no session, no data; test_trusted_device.py).
    assert r["Clear-Site-Data"] == '"cache", "storage"'
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        assert r.cookies[name]["max-age"] == 0
        assert r.cookies[name].value == ""
    assert is_logged_out(client)


def test_an_unreadable_clock_ends_the_session(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200
    session = client.session
    session[middleware.SESSION_KEY] = {"started": "garbage"}
    session.save()
    assert is_logged_out(client)


def test_a_session_without_a_clock_starts_it(client: Client, alice: User) -> None:
    sign_in(client, alice)
    session = client.session
    del session[middleware.SESSION_KEY]  # A login from before the middleware was installed.
    session.save()
    assert client.get(reverse("caseload")).status_code == 200
    assert middleware.SESSION_KEY in client.session
