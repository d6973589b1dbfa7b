"""A forgotten password, reset by e-mail (SECURITY.md AU-06, AU-07; ASVS 6.3.8, 6.4.3, 7.4.3):
one answer for every address, throttled, a link that works once for 30 minutes and never
stays in an address, the second factor still asked for, every other session ended."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper

from rebond.accounts import devices, passwords, tasks
from rebond.accounts.models import Clinic, User
from rebond.accounts.sessions import session_keys_of
from rebond.audit.models import AuditEntry
from rebond.lib.logs import redact
from rebond.test import (
    PASSWORD,
    ensure_totp_device,
    make_clinician,
    sign_in,
    unused_totp_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet harbour lantern morning"
LINK_RE = re.compile(r"http://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")
# What differs in every response, whoever asks: the CSRF token and the CSP nonce.
PER_RESPONSE_RE = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
# Clients in a documentation range, so each test's throttle counts start apart.
OFFICE = "198.51.100.30"


@pytest.fixture
def enrolled(clinic_a: Clinic) -> User:
    """A clinician with a password and a confirmed authenticator app: may reset."""
    user = make_clinician(clinic_a, "Rita Reset", email="rita@example.test")
    ensure_totp_device(user)
    return user


def ask(client: Client, address: str, ip: str = OFFICE) -> Any:
    return client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=ip)


def link_in(message: mail.EmailMessage) -> str:
    found = LINK_RE.search(str(message.body))
    assert found is not None, message.body
    return found.group(1)


def reset_link(client: Client, user: User, capture: DjangoCaptureOnCommitCallbacks) -> str:
    """Ask for a reset of `user` through the page; return the path of the e-mailed link."""
    mail.outbox.clear()
    with capture(execute=True):
        assert ask(client, user.email).status_code == 302
    [message] = mail.outbox
    assert message.to == [user.email]
    return link_in(message)


def open_link(client: Client, path: str) -> str:
    """Open the e-mailed link; return the token-free address it sends the browser to."""
    response = client.get(path)
    assert response.status_code == 302
    return str(response["Location"])


def set_new_password(client: Client, page: str, password: str = NEW_PASSWORD) -> Any:
    data = {"new_password1": password, "new_password2": password}
    return client.post(page, data)


# --- The forgot page and its answer ---------------------------------------------------------


def test_the_login_page_offers_a_way_to_reset_a_forgotten_password(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in page


def normalised(response: Any) -> tuple[Any, ...]:
    """Return what a requester sees of a response: status, where it goes, headers, cookies,
    body (without the per-response CSRF token and CSP nonce, and the request id)."""
    # Expires is the response's own clock (now, to the second): two requests a moment apart
    # may cross a second whatever the address, so only its presence is compared.
    headers = sorted(
        (name, "<time>" if name == "Expires" else re.sub(r"'nonce-[^']+'", "'nonce'", value))
        for name, value in response.headers.items()
        if name not in ("X-Request-ID", "Content-Length")
    )
    body = PER_RESPONSE_RE.sub(b"", response.content)
    return response.status_code, headers, sorted(response.cookies.keys()), body


KINDS = ["unknown", "enrolled", "deactivated", "invited, not enrolled", "no usable password"]


def address_of(kind: str, clinic: Clinic) -> str:
    """Return an address of the given kind of account (creating the account)."""
    if kind == "unknown":
        return "nobody-here@example.test"
    slug = re.sub(r"\W+", "-", kind)
    user = make_clinician(clinic, f"Kind {slug}", email=f"{slug}@example.test")
    if kind != "invited, not enrolled":
        ensure_totp_device(user)
    if kind == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
    if kind == "no usable password":
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user.email


def test_every_address_gets_the_same_answer_and_the_request_does_the_same_work(
    clinic_a: Clinic, settings: SettingsWrapper, django_capture_on_commit_callbacks: Any
) -> None:
    """Known, unknown, deactivated and not-enrolled addresses: the same response, byte for
    byte, and the same database statements in the same order (the production task backend
    stores the task; nothing else depends on the address), so no path differs, no exception
    path either (ASVS 6.3.8). Timing: bench/password_reset.py measures it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seen: dict[str, tuple[Any, ...]] = {}
    statements: dict[str, list[str]] = {}
    for n, kind in enumerate(KINDS):
        address = address_of(kind, clinic_a)
        client = Client()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            # Each from its own address, so each starts with the same throttle counts.
            answer = ask(client, address, ip=f"192.0.2.{n + 1}")
        # Read before the next request, which empties Django's query log.
        statements[kind] = [shape(q["sql"]) for q in queries.captured_queries]
        assert answer.status_code == 302
        assert answer["Location"] == reverse("password_reset_sent")
        sent = client.get(answer["Location"])
        seen[kind] = (normalised(answer), normalised(sent))
    for kind in KINDS:
        assert seen[kind] == seen["unknown"], kind
    assert all(statements[kind] == statements["unknown"] for kind in KINDS), statements
    # The task was stored for the worker, one per request, whatever the address.
    tasks_stored = [s for s in statements["unknown"] if s.startswith('INSERT INTO "django_tasks')]
    assert len(tasks_stored) == 1, statements["unknown"]


def shape(sql: str) -> str:
    """Return a statement without its values (quoted strings and numbers)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+(\.\d+)?\b", "?", sql)


def test_the_sent_page_promises_nothing_about_the_address(client: Client) -> None:
    page = client.get(reverse("password_reset_sent")).content.decode()
    assert "If the address belongs to an account of this practice that can be reset" in page
    assert "for 30 minutes" in page


def test_an_invalid_address_is_told_what_to_fix_and_kept(client: Client) -> None:
    response = ask(client, "rita at example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Reset your password · Rebond</title>" in page
    assert "Enter an e-mail address in the form name@example.org." in page
    assert 'value="rita at example"' in page


def test_only_an_account_that_may_reset_is_sent_a_link(
    clinic_a: Clinic, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    addresses = {kind: address_of(kind, clinic_a) for kind in KINDS if kind != "enrolled"}
    addresses["enrolled"] = enrolled.email
    client = Client()
    for n, address in enumerate(addresses.values()):
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, address, ip=f"192.0.2.{n + 1}")
    [message] = mail.outbox
    assert message.to == [enrolled.email]
    assert message.subject == "Reset your Rebond password"
    assert "within 30 minutes" in str(message.body)
    assert "authenticator app" in str(message.body)
    entries = {
        (e.object_id, e.action, e.reason, e.actor_label)
        for e in AuditEntry.objects.filter(action__startswith="accounts.password_reset")
    }
    account = {u.email: str(u.pk) for u in User.objects.all()}
    refused = "accounts.password_reset.refused"
    assert entries == {
        (account[enrolled.email], "accounts.password_reset.sent", "", "public"),
        (account[addresses["deactivated"]], refused, "deactivated", "public"),
        (account[addresses["invited, not enrolled"]], refused, "not enrolled", "public"),
        (account[addresses["no usable password"]], refused, "not enrolled", "public"),
    }


# --- Throttling -------------------------------------------------------------------------------


def test_requests_for_one_address_are_throttled_whoever_asks(
    client: Client, enrolled: User, settings: SettingsWrapper
) -> None:
    settings.LOGIN_FAILURES_PER_USER = 5
    for n in range(5):
        assert ask(client, enrolled.email, ip=f"192.0.2.{n + 1}").status_code == 302
    refused = ask(client, enrolled.email.upper(), ip="192.0.2.99")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 30
    page = refused.content.decode()
    assert "Too many reset requests. Please wait 30 seconds and try again." in page
    assert "<title>Error: Reset your password · Rebond</title>" in page
    # Another address from another client is not slowed down.
    assert ask(client, "someone-else@example.test", ip="192.0.2.100").status_code == 302


def test_an_unknown_address_is_throttled_exactly_like_a_known_one(
    client: Client, enrolled: User, settings: SettingsWrapper
) -> None:
    settings.LOGIN_FAILURES_PER_USER = 2
    answers = {}
    for address in (enrolled.email, "nobody-here@example.test"):
        statuses = [ask(client, address, ip=f"192.0.2.{n + 10}").status_code for n in range(3)]
        answers[address] = statuses
    assert answers[enrolled.email] == answers["nobody-here@example.test"] == [302, 302, 429]


def test_one_client_is_throttled_whatever_addresses_it_tries(
    client: Client, settings: SettingsWrapper
) -> None:
    settings.LOGIN_FAILURES_PER_IP = 20
    for n in range(20):
        assert ask(client, f"guess{n}@example.test", ip="203.0.113.9").status_code == 302
    assert ask(client, "guess20@example.test", ip="203.0.113.9").status_code == 429
    assert ask(client, "guess20@example.test", ip="203.0.113.10").status_code == 302


# --- The link ---------------------------------------------------------------------------------


def test_the_link_leaves_the_address_at_once_and_works_once(
    client: Client, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    path = reset_link(client, enrolled, django_capture_on_commit_callbacks)
    token = path.rstrip("/").rsplit("/", 1)[1]
    page = open_link(client, path)
    assert token not in page
    assert page.endswith("/set-password/")
    form = client.get(page)
    assert form.status_code == 200
    assert token.encode() not in form.content
    assert form["Referrer-Policy"] == "same-origin"
    assert "no-store" in form["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        done = set_new_password(client, page)
    assert done.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.check_password(NEW_PASSWORD)

    # Spent: the same link, in this browser or another, no longer works.
    for browser in (client, Client()):
        again = browser.get(path)
        assert again.status_code == 200
        assert "This link does not work" in again.content.decode()
        assert browser.get(page).status_code == 200
        assert "This link does not work" in browser.get(page).content.decode()


def test_the_link_answers_only_get_and_post(client: Client, enrolled: User) -> None:
    path = reverse("password_reset_confirm", kwargs={"uidb64": "MTIz", "token": "x-y"})
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.generic(method, path).status_code == 405


def test_the_link_expires_after_thirty_minutes(
    client: Client,
    enrolled: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = reset_link(client, enrolled, django_capture_on_commit_callbacks)
    sent_at = passwords.reset_tokens._now()
    monkeypatch.setattr(passwords.reset_tokens, "_now", lambda: sent_at + timedelta(minutes=29))
    assert client.get(path).status_code == 302  # still good at 29 minutes
    monkeypatch.setattr(passwords.reset_tokens, "_now", lambda: sent_at + timedelta(minutes=31))
    for address in (path, path.rsplit("/", 2)[0] + "/set-password/"):
        expired = Client().get(address) if address == path else client.get(address)
        assert expired.status_code == 200
        assert "This link does not work" in expired.content.decode()
    assert settings.PASSWORD_RESET_TIMEOUT == 30 * 60


def test_a_link_stops_working_once_the_clinician_is_deactivated(
    client: Client, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    path = reset_link(client, enrolled, django_capture_on_commit_callbacks)
    User.objects.filter(pk=enrolled.pk).update(is_active=False)
    assert "This link does not work" in client.get(path).content.decode()


def test_a_link_stops_working_once_the_clinician_logs_in(
    client: Client, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Remembering the password after asking: the login spends the link (last_login)."""
    path = reset_link(client, enrolled, django_capture_on_commit_callbacks)
    other = Client()
    login = other.post(reverse("login"), {"username": enrolled.email, "password": PASSWORD})
    assert login.status_code == 302
    assert "This link does not work" in client.get(path).content.decode()


def test_the_new_password_must_pass_the_password_rules_and_nothing_changes_until_it_does(
    client: Client, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    page = open_link(client, reset_link(client, enrolled, django_capture_on_commit_callbacks))
    short = set_new_password(client, page, "too short")
    assert short.status_code == 400
    text = short.content.decode()
    assert "<title>Error: Choose a new password · Rebond</title>" in text
    assert "This password is too short. It must contain at least 12 characters." in text
    mismatch = client.post(page, {"new_password1": NEW_PASSWORD, "new_password2": "other words"})
    assert mismatch.status_code == 400
    assert "The two new passwords are not the same." in mismatch.content.decode()
    enrolled.refresh_from_db()
    assert enrolled.check_password(PASSWORD)
    assert set_new_password(client, page).status_code == 302  # the link still works


# --- After the reset --------------------------------------------------------------------------


def test_the_second_factor_is_still_asked_for_after_a_reset(
    client: Client, enrolled: User, django_capture_on_commit_callbacks: Any
) -> None:
    page = open_link(client, reset_link(client, enrolled, django_capture_on_commit_callbacks))
    with django_capture_on_commit_callbacks(execute=True):
        done = set_new_password(client, page)
    assert done["Location"] == reverse("mfa_verify")
    assert client.session[SESSION_KEY] == str(enrolled.pk)  # signed in with the password only
    caseload = client.get(reverse("caseload"))
    assert caseload.status_code == 302
    assert caseload["Location"].startswith(reverse("mfa_verify"))
    verify = client.get(reverse("mfa_verify"))
    assert "Your password is changed. Enter the code" in verify.content.decode()
    assert client.post(reverse("mfa_verify"), {"code": "000000"}).status_code == 200
    assert client.get(reverse("caseload")).status_code == 302
    verified = client.post(reverse("mfa_verify"), {"code": unused_totp_code(enrolled)})
    assert verified.status_code == 302
    assert client.get(reverse("caseload")).status_code == 200


def test_a_reset_ends_every_other_session_and_trusted_browser_and_tells_the_clinician(
    enrolled: User, django_capture_on_commit_callbacks: Any, rf: RequestFactory
) -> None:
    elsewhere = Client()
    sign_in(elsewhere, enrolled)
    assert elsewhere.get(reverse("caseload")).status_code == 200
    # A browser trusted for the account (both factors done there before).
    trusted = rf.get("/")
    response = HttpResponse()
    devices.remember(trusted, response, enrolled)
    trusted.COOKIES[devices.COOKIE_NAME] = response.cookies[devices.COOKIE_NAME].value
    assert devices.trusted_key_for(trusted, enrolled)

    client = Client()
    page = open_link(client, reset_link(client, enrolled, django_capture_on_commit_callbacks))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        set_new_password(client, page)

    refused = elsewhere.get(reverse("caseload"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("login"))
    assert session_keys_of(enrolled) == [client.session.session_key]
    enrolled.refresh_from_db()
    assert devices.trusted_key_for(trusted, enrolled) == ""
    [notice] = mail.outbox
    assert notice.to == [enrolled.email]
    assert notice.subject == "Your Rebond password was changed"
    body = str(notice.body)
    assert "reset with a link sent to this address" in body
    assert "Every other browser signed in to your account was logged out." in body
    assert "/accounts/reset/" not in body
    actions = list(
        AuditEntry.objects.filter(object_id=str(enrolled.pk))
        .order_by("sequence")
        .values_list("action", "actor_label")
    )
    assert actions == [
        ("accounts.password_reset.sent", "public"),
        ("accounts.password_reset.complete", f"clinician:{enrolled.email}"),
    ]


def test_the_change_notice_gives_the_time_in_the_clinics_time_zone(clinic_a: Clinic) -> None:
    clinic_a.timezone = "Australia/Sydney"
    clinic_a.save(update_fields=["timezone"])
    user = make_clinician(clinic_a, "Sid Ney")
    moment = now().replace(year=2027, month=1, day=15, hour=0, minute=30)
    assert tasks.clinic_time(user, moment) == "15 Jan 2027 11:30 AEDT"


def test_reset_links_never_reach_a_log_line() -> None:
    line = 'GET /accounts/reset/MTIz/cf3x9-0a1b2c3d4e5f/ HTTP/1.1" 302'
    assert redact(line) == 'GET /accounts/reset/MTIz/-/ HTTP/1.1" 302'
    referer = "https://rebond.example/accounts/reset/MTIz/cf3x9-0a1b2c3d4e5f/"
    assert "cf3x9" not in redact(referer)
    assert redact("/p/sometoken/") == "/p/-/"


def test_sessions_of_partners_and_other_clinicians_are_left_alone(
    enrolled: User, bob: User
) -> None:
    mine, theirs = Client(), Client()
    sign_in(mine, enrolled)
    sign_in(theirs, bob)
    session = Session.objects.get(session_key=theirs.session.session_key)
    assert session_keys_of(bob) == [session.session_key]
    from rebond.accounts.sessions import end_sessions

    assert end_sessions(enrolled) == 1
    assert theirs.get(reverse("caseload")).status_code == 200
    assert mine.get(reverse("caseload")).status_code == 302
