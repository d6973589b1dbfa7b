"""An abusive partner who knows the therapist's e-mail cannot keep them away (issue 15, C12).

OWASP's Authentication Cheat Sheet: throttle per account and per address with growing delays
rather than hard lockouts, and let a browser that has completed the second factor for that
account before (a device cookie) sign in despite the account-wide throttle, under its own
per-device limit. Time is frozen (`clock`) so each wait is exact.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import devices, throttle
from rebond.accounts.models import UsedTOTPStep, User
from rebond.test import PASSWORD, ensure_totp_device, unused_totp_code
from rebond.tests import figures

pytestmark = pytest.mark.django_db

THERAPIST_OFFICE = "198.51.100.20"
THERAPIST_HOME = "198.51.100.21"
ATTACKER = "203.0.113.5"
NAT = "192.0.2.44"  # one office behind one public address
FIGURE = "C12 clinician lockout"


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = now()
        monkeypatch.setattr(throttle, "now", lambda: self.moment)

    def move(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Clock:
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 24 * 60
    settings.LOGIN_FAILURES_PER_USER = 5
    settings.LOGIN_FAILURES_PER_IP = 20
    settings.LOGIN_DELAY_MAX_MINUTES = 15
    settings.TRUSTED_PROXY_COUNT = 0
    return Clock(monkeypatch)


def password_step(client: Client, email: str, password: str, ip: str) -> Any:
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def code_of_a_later_step(user: User) -> str:
    """Return a valid code from the clinician's app, as at a login a minute after the last.

    Replay protection (test_mfa.py) refuses a step used before; these tests log in several
    times within seconds, so instead of waiting for the next step they forget the used one.
    """
    UsedTOTPStep.objects.filter(user=user).delete()
    return unused_totp_code(user)


def second_factor_step(client: Client, user: User, ip: str, code: str | None = None) -> Any:
    code = code or code_of_a_later_step(user)
    return client.post(reverse("mfa_verify"), {"code": code}, REMOTE_ADDR=ip)


def full_login(client: Client, user: User, ip: str) -> tuple[Any, Any]:
    """Password, then the app's code; return both responses."""
    first = password_step(client, user.email, PASSWORD, ip)
    if first.status_code != 302:
        return first, None
    return first, second_factor_step(client, user, ip)


def signed_in(client: Client, user: User) -> bool:
    return (
        client.session.get("_auth_user_id") == str(user.pk)
        and client.get(reverse("caseload")).status_code == 200
    )


def trusted_browser(user: User, ip: str) -> Client:
    """A browser in which `user` completed both factors, then logged out."""
    ensure_totp_device(user)
    browser = Client()
    first, second = full_login(browser, user, ip)
    assert (first.status_code, second.status_code) == (302, 302)
    assert browser.post(reverse("logout")).status_code == 302
    assert devices.COOKIE_NAME in browser.cookies  # Logging out keeps the browser trusted.
    return browser


def test_the_device_cookie_is_set_only_after_the_second_factor_and_is_httponly(
    clock: Clock, alice: User
) -> None:
    ensure_totp_device(alice)
    browser = Client()
    first = password_step(browser, alice.email, PASSWORD, THERAPIST_OFFICE)
    assert devices.COOKIE_NAME not in first.cookies  # The password alone proves too little.
    assert second_factor_step(browser, alice, THERAPIST_OFFICE, code="000000").status_code == 200
    assert devices.COOKIE_NAME not in browser.cookies
    second = second_factor_step(browser, alice, THERAPIST_OFFICE)
    cookie = second.cookies[devices.COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == devices.TRUST_DAYS * 24 * 60 * 60
    # Signed, and naming no e-mail address or password.
    assert alice.email not in cookie.value
    assert ":" in cookie.value


def test_the_attack_throttles_the_attacker_and_the_account_but_not_the_trusted_browser(
    clock: Clock, alice: User
) -> None:
    office = trusted_browser(alice, THERAPIST_OFFICE)
    attacker = Client()
    # The abusive partner knows the e-mail address and guesses.
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        assert password_step(attacker, alice.email, "guess", ATTACKER).status_code == 200
    waits = []
    for _ in range(7):
        refused = password_step(attacker, alice.email, "guess", ATTACKER)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.move(waits[-1])
        assert password_step(attacker, alice.email, "guess", ATTACKER).status_code == 200
    # The attacker is slowed down, more with every failure, up to the cap.
    figures.record(FIGURE, "attacker waits (s)", "/".join(str(w) for w in waits))
    assert waits == [30, 60, 120, 240, 480, 900, 900]

    # The account-wide throttle: a new browser, even the therapist's with the right password,
    # from a new address, is refused.
    new_browser = Client()
    untrusted = password_step(new_browser, alice.email, PASSWORD, THERAPIST_HOME).status_code
    figures.record(FIGURE, "new browser, right password, during attack", untrusted)
    assert untrusted == 429
    assert not signed_in(new_browser, alice)

    # The rescue: the browser where she completed the second factor before signs in now.
    first, second = full_login(office, alice, THERAPIST_OFFICE)
    figures.record(
        FIGURE, "trusted browser during attack", f"{first.status_code}/{second.status_code}"
    )
    assert first.status_code == 302
    assert second.status_code == 302
    assert signed_in(office, alice)
    # ... and from another address too (a laptop taken home).
    office.post(reverse("logout"))
    first, second = full_login(office, alice, THERAPIST_HOME)
    assert (first.status_code, second.status_code) == (302, 302)


def test_a_trusted_browser_has_its_own_limit(clock: Clock, alice: User) -> None:
    office = trusted_browser(alice, THERAPIST_OFFICE)
    home = trusted_browser(alice, THERAPIST_HOME)
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        assert password_step(office, alice.email, "typo", THERAPIST_OFFICE).status_code == 200
    refused = password_step(office, alice.email, PASSWORD, THERAPIST_OFFICE)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    # Someone guessing at the therapist's office computer does not slow her other browser.
    clock.move(1)
    first, second = full_login(home, alice, THERAPIST_HOME)
    assert (first.status_code, second.status_code) == (302, 302)
    clock.move(30)
    first, second = full_login(office, alice, THERAPIST_OFFICE)
    assert (first.status_code, second.status_code) == (302, 302)


def attack(email: str, ip: str = ATTACKER) -> None:
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        password_step(attacker, email, "guess", ip)


def test_a_password_change_ends_the_trust(clock: Clock, alice: User) -> None:
    office = trusted_browser(alice, THERAPIST_OFFICE)
    attack(alice.email)
    alice.set_password(PASSWORD)  # A new hash (new salt), as after any password change.
    alice.save()
    assert password_step(office, alice.email, PASSWORD, THERAPIST_OFFICE).status_code == 429


def test_the_cookie_is_bound_to_its_account_and_cannot_be_forged(
    clock: Clock, alice: User, bob: User
) -> None:
    office = trusted_browser(alice, THERAPIST_OFFICE)
    ensure_totp_device(bob)
    attack(bob.email)
    # Alice's trusted browser is no trusted browser for Bob.
    assert password_step(office, bob.email, PASSWORD, THERAPIST_OFFICE).status_code == 429
    # A tampered cookie is worth nothing.
    attack(alice.email)
    forged = Client()
    value = office.cookies[devices.COOKIE_NAME].value
    forged.cookies[devices.COOKIE_NAME] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert password_step(forged, alice.email, PASSWORD, THERAPIST_OFFICE).status_code == 429
    # A copy of the genuine cookie is the same browser as far as anyone can tell.
    copied = Client()
    copied.cookies[devices.COOKIE_NAME] = value
    assert password_step(copied, alice.email, PASSWORD, THERAPIST_OFFICE).status_code == 302


def test_an_expired_device_cookie_is_not_trusted(clock: Clock, alice: User) -> None:
    office = trusted_browser(alice, THERAPIST_OFFICE)
    attack(alice.email)
    later = now() + timedelta(days=devices.TRUST_DAYS, seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(devices, "now", lambda: later)
        assert password_step(office, alice.email, PASSWORD, THERAPIST_OFFICE).status_code == 429


def test_one_nat_address_flooding_does_not_lock_other_accounts_trusted_browsers(
    clock: Clock, alice: User, bob: User
) -> None:
    bobs_browser = trusted_browser(bob, NAT)
    flooder = Client()
    for n in range(settings.LOGIN_FAILURES_PER_IP):
        assert password_step(flooder, f"guess{n}@example.test", "x", NAT).status_code == 200
    assert password_step(flooder, "guess@example.test", "x", NAT).status_code == 429
    # Behind the same address, a browser nobody completed the second factor in is slowed ...
    assert password_step(Client(), alice.email, PASSWORD, NAT).status_code == 429
    # ... but Bob's trusted browser signs in, both steps, from the flooded address.
    first, second = full_login(bobs_browser, bob, NAT)
    figures.record(
        FIGURE, "trusted browser behind a flooded NAT", f"{first.status_code}/{second.status_code}"
    )
    assert (first.status_code, second.status_code) == (302, 302)
    assert signed_in(bobs_browser, bob)
