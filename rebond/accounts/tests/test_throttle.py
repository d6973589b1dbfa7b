"""Login throttling per username and per address, with growing delays (SECURITY.md AU-03).

Time is frozen (`clock`) so that each wait is exact; trusted browsers, which pass the
account-wide throttle, are tested in test_trusted_device.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import throttle
from rebond.accounts.models import LoginAttempt, User
from rebond.test import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("login")


def login(
    client: Client, email: str, password: str, ip: str = "203.0.113.5", forwarded: str = ""
) -> Any:
    data = {"username": email, "password": password}
    return client.post(URL, data, REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=forwarded)


def fail(
    client: Client, email: str, times: int, ip: str = "203.0.113.5", forwarded: str = ""
) -> None:
    for _ in range(times):
        assert login(client, email, "wrong password", ip, forwarded).status_code == 200


def move_clock(monkeypatch: pytest.MonkeyPatch, to: datetime) -> None:
    monkeypatch.setattr(throttle, "now", lambda: to)


def retry_after(response: Any) -> int:
    assert response.status_code == 429
    return int(response["Retry-After"])


@pytest.fixture(autouse=True)
def _limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 24 * 60
    settings.LOGIN_FAILURES_PER_USER = 5
    settings.LOGIN_FAILURES_PER_IP = 20
    settings.LOGIN_DELAY_MAX_MINUTES = 15
    settings.TRUSTED_PROXY_COUNT = 0
    move_clock(monkeypatch, now())  # frozen unless a test moves it


def test_a_username_is_refused_after_five_failures_even_with_the_right_password(
    client: Client, alice: User
) -> None:
    fail(client, alice.email, 5)
    r = login(client, alice.email, PASSWORD)
    assert r.status_code == 429
    assert "Too many login attempts" in r.text
    assert "_auth_user_id" not in client.session
    # From any other address too.
    assert login(client, alice.email, PASSWORD, ip="198.51.100.9").status_code == 429


def test_the_username_count_ignores_case_and_stores_no_typed_text(
    client: Client, alice: User
) -> None:
    fail(client, alice.email.upper(), 5)
    assert login(client, alice.email, PASSWORD).status_code == 429
    assert not LoginAttempt.objects.filter(username_key__icontains="@").exists()


def test_a_successful_login_below_the_limit_goes_through(client: Client, alice: User) -> None:
    fail(client, alice.email, 4)
    r = login(client, alice.email, PASSWORD)
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_delays_double_after_each_failure_up_to_the_cap_with_no_hard_lockout(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = now()
    move_clock(monkeypatch, moment)
    fail(client, alice.email, 5)
    waits = []
    for _ in range(8):
        wait = retry_after(login(client, alice.email, "guess"))
        waits.append(wait)
        moment += timedelta(seconds=wait)  # The guesser waits exactly as long as told ...
        move_clock(monkeypatch, moment)
        fail(client, alice.email, 1)  # ... and is let through to fail once more.
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    # Never locked for good: after the longest wait the right password goes through.
    wait = retry_after(login(client, alice.email, PASSWORD))
    assert wait == 900
    move_clock(monkeypatch, moment + timedelta(seconds=wait - 1))
    assert login(client, alice.email, PASSWORD).status_code == 429
    move_clock(monkeypatch, moment + timedelta(seconds=wait))
    assert login(client, alice.email, PASSWORD).status_code == 302


def test_the_refusal_says_how_long_to_wait(client: Client, alice: User) -> None:
    fail(client, alice.email, 5)
    r = login(client, alice.email, PASSWORD)
    assert r["Retry-After"] == "30"
    assert "Too many login attempts. Please wait 30 seconds and try again." in r.text
    # The account-wide delay holds from every address.
    assert retry_after(login(client, alice.email, PASSWORD, ip="198.51.100.9")) == 30


def test_failures_are_forgotten_after_the_window(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = now()
    move_clock(monkeypatch, t0)
    fail(client, alice.email, 5)
    move_clock(monkeypatch, t0 + timedelta(days=1, seconds=1))
    fail(client, alice.email, 4)  # A fresh allowance: no delay before the fifth failure.
    assert login(client, alice.email, PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(at__lte=t0).exists()


def test_refused_attempts_do_not_extend_the_wait(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = now()
    move_clock(monkeypatch, t0)
    fail(client, alice.email, 5)
    move_clock(monkeypatch, t0 + timedelta(seconds=20))
    for _ in range(10):
        assert login(client, alice.email, "guess").status_code == 429
    move_clock(monkeypatch, t0 + timedelta(seconds=30))
    assert login(client, alice.email, PASSWORD).status_code == 302


def test_other_users_and_addresses_are_unaffected(client: Client, alice: User, bob: User) -> None:
    fail(client, alice.email, 5, ip="203.0.113.5")
    assert login(client, alice.email, PASSWORD, ip="198.51.100.9").status_code == 429
    # Bob logs in, from the attacker's address as well as his own.
    assert login(Client(), bob.email, PASSWORD, ip="198.51.100.9").status_code == 302
    assert login(Client(), bob.email, PASSWORD, ip="203.0.113.5").status_code == 302


def test_an_address_is_slowed_after_twenty_failures_whatever_the_username(
    client: Client, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = now()
    move_clock(monkeypatch, t0)
    for n in range(20):
        fail(client, f"guess{n}@example.test", 1, ip="203.0.113.5")
    # A username never tried before, even with the right password, from that address: refused.
    assert retry_after(login(client, bob.email, PASSWORD, ip="203.0.113.5")) == 30
    move_clock(monkeypatch, t0 + timedelta(seconds=30))
    fail(client, "guess-again@example.test", 1, ip="203.0.113.5")
    assert retry_after(login(client, bob.email, PASSWORD, ip="203.0.113.5")) == 60
    # The same clinician from another address is fine: one attacker locks out nobody else.
    assert login(Client(), bob.email, PASSWORD, ip="198.51.100.9").status_code == 302


def test_a_spoofed_forwarded_for_header_changes_nothing(client: Client, alice: User) -> None:
    for n in range(5):
        fail(client, alice.email, 1, forwarded=f"192.0.2.{n}")
    r = login(client, alice.email, PASSWORD, forwarded="192.0.2.200")
    assert r.status_code == 429
    for n in range(15):
        fail(client, f"guess{n}@example.test", 1, forwarded=f"192.0.2.{n}")
    r = login(client, "other@example.test", "x", forwarded="192.0.2.201")
    assert r.status_code == 429  # The address limit counted all 20, whatever the header said.


def test_the_client_address_behind_trusted_proxies(rf: RequestFactory, settings: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert throttle.client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.client_ip(request) == "198.51.100.7"  # Not the client-written 1.2.3.4.
    settings.TRUSTED_PROXY_COUNT = 3
    assert throttle.client_ip(request) == "10.0.0.2"  # Fewer entries than proxies: no trust.
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert throttle.client_ip(request) == "10.0.0.2"


def test_the_refusal_is_the_same_for_unknown_and_known_accounts(
    client: Client, alice: User
) -> None:
    fail(client, alice.email, 5, ip="203.0.113.5")
    fail(client, "nobody@example.test", 5, ip="198.51.100.9")
    known = login(Client(), alice.email, "wrong", ip="192.0.2.10")
    unknown = login(Client(), "nobody@example.test", "wrong", ip="192.0.2.11")
    assert known.status_code == unknown.status_code == 429
    page = known.text.replace(alice.email, "")  # the e-mail field is not refilled anyway
    assert strip_nonce(page) == strip_nonce(unknown.text)


def test_a_failure_looks_the_same_for_unknown_and_known_accounts(
    client: Client, alice: User
) -> None:
    known = login(Client(), alice.email, "wrong")
    unknown = login(Client(), "nobody@example.test", "wrong")
    assert known.status_code == unknown.status_code == 200
    assert strip_nonce(known.text.replace(alice.email, "E")) == strip_nonce(
        unknown.text.replace("nobody@example.test", "E")
    )


def strip_nonce(page: str) -> str:
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
