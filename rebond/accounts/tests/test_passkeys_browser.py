"""In Chromium with its virtual authenticator (a CTAP2 platform authenticator with user
verification, driven through the DevTools protocol): a clinician adds a passkey from the
two-factor settings, logs out, logs in with the password and the passkey, confirms a sensitive
action with the password and the passkey, and removes it. A refused passkey and a browser
without the passkey say so in words. Every page passes PageChecker (axe, console and CSP
errors, foreign requests); screenshots are kept in var/screenshots."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils.timezone import now
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts import mfa
from rebond.accounts.models import Passkey, User
from rebond.audit.models import AuditEntry
from rebond.test import PASSWORD, make_clinic, make_clinician
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@pytest.fixture(autouse=True)
def _site_is_the_live_server(settings: Any, live_server: LiveServer) -> None:
    # The RP id and origin come from SITE_URL: here http://localhost:<port>.
    settings.SITE_URL = live_server.url


def with_authenticator(context: BrowserContext, page: Page) -> tuple[Any, str]:
    """Plug Chromium's virtual authenticator into `page`; return the session and its id."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    return cdp, added["authenticatorId"]


def age_session(page: Page, user: User, minutes: int) -> None:
    """Make the browser session's last full authentication `minutes` old (server side)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "rebond-session")
    session = SessionStore(session_key=cookie["value"])
    mfa.mark_session_verified(session, user, at=now() - timedelta(minutes=minutes))
    session.save()


def actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user, action__contains="passkey")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_a_clinician_adds_a_passkey_logs_in_with_it_steps_up_with_it_and_removes_it(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    user = make_clinician(make_clinic("Practice"), "Penny Passkey")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    checker = PageChecker(page, base)
    cdp, authenticator = with_authenticator(context, page)

    log_in(page, base, user.email, PASSWORD)
    page.goto(f"{base}/accounts/two-factor/")
    expect(page.get_by_text("You have no passkey yet.")).to_be_visible()
    checker.check("passkey-settings-none")

    # Add one: a name first (said in the live region when missing), then the browser's dialog.
    page.get_by_role("link", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    expect(page.get_by_text("This browser cannot make passkeys")).to_be_hidden()
    checker.check("passkey-add")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Give the passkey a name, such as the device it is on."
    )
    expect(page.get_by_label("Name of the passkey")).to_be_focused()
    expect(page.get_by_label("Name of the passkey")).to_have_attribute("aria-invalid", "true")
    checker.check("passkey-add-no-name")
    page.get_by_label("Name of the passkey").fill("Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(page).to_have_url(f"{base}/accounts/two-factor/")
    expect(page.get_by_text("Passkey “Work laptop” added.")).to_be_visible()
    expect(page.get_by_role("list", name="Your passkeys")).to_contain_text("Work laptop")
    expect(page.get_by_role("list", name="Your passkeys")).to_contain_text("not used yet")
    checker.check("passkey-settings-one")
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Work laptop"
    assert passkey.transports == ["internal"]
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [c["signCount"] for c in stored["credentials"]] == [passkey.sign_count]

    # Log out, then in again: the password, then the passkey instead of a code.
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    checker.check("passkey-verify")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(f"{base}/cases/")
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    # Half an hour later, new recovery codes: the password and the passkey again.
    age_session(page, user, minutes=30)
    page.goto(f"{base}/accounts/two-factor/")
    page.get_by_role("link", name="Make new recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    checker.check("passkey-reauthenticate")
    page.get_by_role("button", name="Confirm with a passkey").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Enter your password, then choose Confirm with a passkey."
    )
    expect(page.get_by_label("Password")).to_be_focused()
    checker.check("passkey-reauthenticate-no-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm with a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")
    used_twice = passkey.sign_count
    passkey.refresh_from_db()
    assert passkey.sign_count > used_twice

    # Remove it (the step-up just done still counts).
    page.goto(f"{base}/accounts/two-factor/")
    page.get_by_role("link", name="Remove passkey Work laptop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove passkey “Work laptop”")
    checker.check("passkey-remove")
    page.get_by_role("button", name="Remove passkey").click()
    expect(page.get_by_text("Passkey “Work laptop” removed.")).to_be_visible()
    expect(page.get_by_text("You have no passkey yet.")).to_be_visible()
    assert not Passkey.objects.filter(user=user).exists()

    assert actions(user) == [
        "accounts.passkey.register",
        "accounts.passkey.verify",
        "accounts.passkey.remove",
    ]
    assert AuditEntry.objects.filter(actor=user, action="accounts.reauthenticate").count() == 1
    context.close()
    checker.assert_clean()


def test_a_refused_passkey_and_a_browser_without_passkeys_are_told_in_words(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    user = make_clinician(make_clinic("Practice"), "Rhys Refused")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    checker = PageChecker(page, base)
    cdp, authenticator = with_authenticator(context, page)
    log_in(page, base, user.email, PASSWORD)
    page.goto(f"{base}/accounts/two-factor/passkeys/add/")
    page.get_by_label("Name of the passkey").fill("Phone")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("list", name="Your passkeys")).to_contain_text("Phone")
    checker.check_reflow("passkey-settings-phone")
    page.get_by_role("button", name="Log out").click()

    # The authenticator signs badly: the server refuses, the page says so beside the button.
    cdp.send(
        "WebAuthn.setResponseOverrideBits",
        {"authenticatorId": authenticator, "isBogusSignature": True},
    )
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("The passkey could not be checked")
    expect(page).to_have_title(re.compile(r"^Error: Enter your code"))
    checker.check_reflow("passkey-verify-refused-phone")
    assert actions(user)[-1] == "accounts.passkey.fail"

    # A browser without WebAuthn (or without JavaScript) is offered only the code.
    plain = browser.new_context(java_script_enabled=False)
    plain_page = plain.new_page()
    plain_page.goto(f"{base}/accounts/login/")
    plain_page.get_by_label("E-mail address").fill(user.email)
    plain_page.get_by_label("Password").fill(PASSWORD)
    plain_page.get_by_role("button", name="Log in").click()
    expect(plain_page.get_by_label("Code from your authenticator app")).to_be_visible()
    expect(plain_page.get_by_role("button", name="Use a passkey")).to_be_hidden()
    plain.close()
    context.close()
    checker.assert_clean()


def test_a_copied_authenticator_and_a_replayed_answer_are_refused(
    browser: Browser, live_server: LiveServer
) -> None:
    """A second authenticator holding a copy of the key, whose counter is behind, is refused
    and audited; an answer the browser posted once does not log in a second time."""
    base = live_server.url
    user = make_clinician(make_clinic("Practice"), "Cleo Copied")
    context = browser.new_context()
    page = context.new_page()
    checker = PageChecker(page, base)
    cdp, original = with_authenticator(context, page)
    log_in(page, base, user.email, PASSWORD)
    page.goto(f"{base}/accounts/two-factor/passkeys/add/")
    page.get_by_label("Name of the passkey").fill("Laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("list", name="Your passkeys")).to_contain_text("Laptop")
    [key] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": original})["credentials"]

    # Two logins with the passkey; the second answer is kept as the browser posted it.
    posted: list[str] = []
    page.on(
        "request",
        lambda r: posted.append(r.post_data or "") if r.url.endswith("/verify/passkey/") else None,
    )
    for _ in range(2):
        page.get_by_role("button", name="Log out").click()
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Use a passkey").click()
        expect(page).to_have_url(f"{base}/cases/")
    assert len(posted) == 2

    # The same answer posted again after a fresh password login: refused.
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    # Only the CSRF token is this page's (the login rotated it); the rest is as posted. The
    # server is asked for a challenge first, as the page would: the old answer is not for it.
    fields: dict[str, str | float | bool] = dict(parse_qsl(posted[-1]))
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    fields["csrfmiddlewaretoken"] = token
    options = page.request.post(
        f"{base}/accounts/two-factor/passkeys/authentication-options/",
        headers={"X-CSRFToken": token},
    )
    assert options.status == 200
    replay = page.request.post(f"{base}/accounts/two-factor/verify/passkey/", form=fields)
    assert replay.status == 200
    assert "The passkey could not be checked" in replay.text()
    page.goto(f"{base}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))

    # A copy of the key, taken when it was made, on another authenticator: counter behind.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": original})
    copy = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": copy["authenticatorId"], "credential": key}
    )
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("its authenticator may have been copied")
    checker.check("passkey-verify-copied")
    page.goto(f"{base}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    assert actions(user)[-2:] == ["accounts.passkey.fail", "accounts.passkey.sign_count_regressed"]
    context.close()
    checker.assert_clean()
