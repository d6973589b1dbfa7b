"""Clinicians' second factor: enrolment, verification, replay, recovery codes, throttling, audit
(SECURITY.md AU-01, AU-02, SE-01, LG-02)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import RecoveryCode, TOTPDevice, UsedTOTPStep, User
from rebond.audit.models import AuditEntry
from rebond.test import PASSWORD, sign_in_password_only, unused_totp_code

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")
SECRET_RE = re.compile(r'<p class="secret-key"><code>([A-Z2-7 ]+)</code>')


def password_login(client: Client, user: User) -> None:
    r = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert r.status_code == 302, r.status_code


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def enrol(client: Client, user: User) -> list[str]:
    """Enrol through the pages; return the recovery codes shown."""
    page = client.get(reverse("mfa_enrol"))
    secret = SECRET_RE.search(page.content.decode())
    assert secret is not None
    code = mfa.current_code(secret.group(1).replace(" ", ""))
    r = client.post(reverse("mfa_enrol"), {"code": code, "next": "/cases/"})
    assert r.status_code == 200
    return CODE_RE.findall(r.content.decode())


def actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user, action__contains=".mfa.").values_list(
            "action", flat=True
        )
    )


def test_a_clinician_without_an_app_is_sent_to_enrol_after_the_password(
    client: Client, alice: User
) -> None:
    password_login(client, alice)
    r = client.get(reverse("caseload"))
    assert r.status_code == 302
    assert r["Location"] == reverse("mfa_enrol") + "?next=%2Fcases%2F"


def test_enrolment_shows_the_seed_as_text_and_as_an_svg_qr_code_without_inline_style(
    client: Client, alice: User
) -> None:
    password_login(client, alice)
    html = client.get(reverse("mfa_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    shown = SECRET_RE.search(html)
    assert shown is not None
    assert shown.group(1).replace(" ", "") == device.secret
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert "style" not in svg
    assert "<script" not in svg
    # The clinical navigation is not on the page: the second factor is not done yet.
    assert f'href="{reverse("caseload")}"' not in html


def test_enrolment_keeps_the_same_seed_until_it_is_confirmed(client: Client, alice: User) -> None:
    password_login(client, alice)
    client.get(reverse("mfa_enrol"))
    first = TOTPDevice.objects.get(user=alice).secret
    client.get(reverse("mfa_enrol"))
    assert TOTPDevice.objects.get(user=alice).secret == first


def test_a_wrong_code_does_not_confirm_the_app(client: Client, alice: User) -> None:
    password_login(client, alice)
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=alice)
    wrong = f"{(int(mfa.current_code(device.secret)) + 1) % 1_000_000:06d}"
    r = client.post(reverse("mfa_enrol"), {"code": wrong})
    assert "That code is not valid" in r.content.decode()
    assert not TOTPDevice.objects.get(user=alice).confirmed
    assert client.get(reverse("caseload")).status_code == 302


def test_confirming_shows_ten_recovery_codes_once_and_opens_the_clinical_pages(
    client: Client, alice: User
) -> None:
    password_login(client, alice)
    codes = enrol(client, alice)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=alice).confirmed
    assert client.get(reverse("caseload")).status_code == 200
    # Never shown again, and never stored in the clear.
    assert not any(code in client.get(reverse("mfa_settings")).content.decode() for code in codes)
    stored = list(RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert not any(code in value or code.replace("-", "") in value for value in stored)
    assert actions(alice) == ["accounts.mfa.enrol"]


def test_the_session_key_changes_at_the_password_and_again_at_the_second_factor(
    client: Client, alice: User
) -> None:
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    password_login(client, alice)
    after_password = session_cookie(client)
    enrol(client, alice)
    after_code = session_cookie(client)
    assert len({before, after_password, after_code}) == 3
    # The password-only session key no longer opens anything.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = after_password
    assert stale.get(reverse("caseload"))["Location"].startswith(reverse("login"))


def test_a_later_login_asks_for_a_code_and_accepts_a_fresh_one(client: Client, alice: User) -> None:
    sign_in_password_only(client, alice)
    r = client.get(reverse("caseload"))
    assert r["Location"] == reverse("mfa_verify") + "?next=%2Fcases%2F"
    r = client.post(reverse("mfa_verify"), {"code": unused_totp_code(alice), "next": "/cases/"})
    assert r.status_code == 302
    assert r["Location"] == "/cases/"
    assert client.get(reverse("caseload")).status_code == 200
    assert actions(alice) == ["accounts.mfa.verify"]


def test_a_code_is_refused_the_second_time(alice: User) -> None:
    first, second = Client(), Client()
    sign_in_password_only(first, alice)
    sign_in_password_only(second, alice)
    code = unused_totp_code(alice)
    assert first.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    r = second.post(reverse("mfa_verify"), {"code": code})
    assert r.status_code == 200
    assert "That code is not valid" in r.content.decode()
    assert second.get(reverse("caseload")).status_code == 302
    assert actions(alice) == ["accounts.mfa.verify", "accounts.mfa.fail"]


def test_codes_one_step_either_side_are_accepted_and_two_steps_away_refused(alice: User) -> None:
    secret = mfa.new_secret()
    at = now()
    step = mfa.step_at(at)
    assert not mfa.check_totp(alice, secret, mfa.code_for_step(secret, step - 2), at)
    assert mfa.check_totp(alice, secret, mfa.code_for_step(secret, step - 1), at)
    assert mfa.check_totp(alice, secret, mfa.code_for_step(secret, step + 1), at)
    assert not mfa.check_totp(alice, secret, mfa.code_for_step(secret, step + 2), at)


def test_a_code_of_an_earlier_step_is_refused_once_a_later_one_was_used(alice: User) -> None:
    secret = mfa.new_secret()
    at = now()
    step = mfa.step_at(at)
    assert mfa.check_totp(alice, secret, mfa.code_for_step(secret, step), at)
    assert not mfa.check_totp(alice, secret, mfa.code_for_step(secret, step - 1), at)
    # Only the last used step is kept.
    assert list(UsedTOTPStep.objects.filter(user=alice).values_list("step", flat=True)) == [step]


def test_a_recovery_code_works_once(alice: User) -> None:
    client = Client()
    password_login(client, alice)
    codes = enrol(client, alice)
    later, again = Client(), Client()
    sign_in_password_only(later, alice)
    sign_in_password_only(again, alice)
    r = later.post(reverse("mfa_verify"), {"code": codes[3].upper().replace("-", " ")})
    assert r.status_code == 302
    assert "9 left" in later.get(reverse("caseload")).content.decode()
    r = again.post(reverse("mfa_verify"), {"code": codes[3]})
    assert r.status_code == 200
    assert "already been used" in r.content.decode()
    assert actions(alice) == [
        "accounts.mfa.enrol",
        "accounts.mfa.recovery_code_use",
        "accounts.mfa.fail",
    ]


def test_failed_codes_are_throttled_per_clinician_with_a_cool_off(
    client: Client, alice: User
) -> None:
    sign_in_password_only(client, alice)
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        assert client.post(reverse("mfa_verify"), {"code": "000000"}).status_code == 200
    # Even the right code is refused now, and is not spent.
    r = client.post(reverse("mfa_verify"), {"code": unused_totp_code(alice)})
    assert r.status_code == 429
    assert "Too many login attempts" in r.content.decode()
    assert AuditEntry.objects.filter(actor=alice, action="accounts.mfa.throttled").count() == 1
    assert client.get(reverse("caseload")).status_code == 302
    # After the window the failures have aged out.
    from rebond.accounts.models import LoginAttempt

    LoginAttempt.objects.update(at=now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES))
    assert client.post(reverse("mfa_verify"), {"code": unused_totp_code(alice)}).status_code == 302


def test_audit_entries_never_hold_a_code_or_the_seed(client: Client, alice: User) -> None:
    password_login(client, alice)
    codes = enrol(client, alice)
    client.post(reverse("logout"))
    password_login(client, alice)
    client.post(reverse("mfa_verify"), {"code": "123456"})
    client.post(reverse("mfa_verify"), {"code": codes[0]})
    secret = TOTPDevice.objects.get(user=alice).secret
    for entry in AuditEntry.objects.all():
        text = repr(entry.__dict__)
        assert secret not in text
        assert not any(code in text for code in codes)
        assert "123456" not in text


def test_an_htmx_request_before_the_second_factor_gets_403_and_a_redirect_htmx_follows(
    client: Client, alice: User
) -> None:
    sign_in_password_only(client, alice)
    r = client.get(reverse("caseload"), headers={"HX-Request": "true"})
    assert r.status_code == 403
    assert r["HX-Redirect"].startswith(reverse("mfa_verify"))


def test_a_post_before_the_second_factor_is_refused_without_a_next_to_replay(
    client: Client, alice: User
) -> None:
    sign_in_password_only(client, alice)
    r = client.post(reverse("caseload"))
    assert r.status_code == 302
    assert r["Location"] == reverse("mfa_verify")


def test_a_second_factor_done_by_another_clinician_does_not_count(
    client: Client, alice: User, bob: User
) -> None:
    sign_in_password_only(client, alice)
    session = client.session
    mfa.mark_session_verified(session, bob)
    session.save()
    assert client.get(reverse("caseload")).status_code == 302


def test_the_verify_page_refuses_an_open_redirect(client: Client, alice: User) -> None:
    sign_in_password_only(client, alice)
    r = client.post(
        reverse("mfa_verify"), {"code": unused_totp_code(alice), "next": "https://evil.example/"}
    )
    assert r["Location"] == reverse("caseload")
