"""Passkeys as a second factor: the verification path, checked with real authenticator data.

The registration and assertions in data/passkeys.json were made by Chromium's virtual CTAP2
authenticator (record_passkeys.py) for the RP id "localhost". Each test makes the server issue
exactly the recorded challenge (by fixing what `generate_challenge` returns), then hands the
recorded answer to rebond/accounts/passkeys.py or to the views, as a browser would.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa, passkeys
from rebond.accounts.models import Clinic, Passkey, TOTPDevice, User
from rebond.audit.models import AuditEntry
from rebond.test import (
    PASSWORD,
    ensure_totp_device,
    make_clinician,
    sign_in,
    sign_in_password_only,
    unused_totp_code,
)

pytestmark = pytest.mark.django_db

RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "passkeys.json").read_text(encoding="utf-8")
)
REGISTRATION = RECORDED["registration"]
FIRST, SECOND, ELSEWHERE = RECORDED["assertions"]
CREDENTIAL_ID = REGISTRATION["credential"]["id"]


def b64url_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def counter_of(assertion: dict[str, Any]) -> int:
    data = b64url_bytes(assertion["credential"]["response"]["authenticatorData"])
    return int.from_bytes(data[33:37], "big")


def as_json(credential: dict[str, Any]) -> str:
    return json.dumps(credential)


@pytest.fixture(autouse=True)
def _site_where_recorded(settings: Any) -> None:
    settings.SITE_URL = RECORDED["origin"]


@pytest.fixture
def pat(clinic_a: Clinic) -> User:
    """The clinician the recording was made for (the user handle is this account's UUID)."""
    user = make_clinician(
        clinic_a, "Pat Passkey", id=UUID(RECORDED["user_id"]), email=RECORDED["email"]
    )
    ensure_totp_device(user)
    return user


@pytest.fixture
def issue(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make the server's next challenge the recorded one (base64url)."""

    def fix(challenge: str) -> None:
        monkeypatch.setattr(passkeys, "generate_challenge", lambda: b64url_bytes(challenge))

    return fix


def register(session: SessionStore, user: User, issue: Callable[[str], None]) -> Passkey:
    issue(REGISTRATION["challenge"])
    passkeys.registration_options(session, user)
    return passkeys.register(session, user, "Work laptop", as_json(REGISTRATION["credential"]))


def authenticate(
    session: SessionStore, user: User, issue: Callable[[str], None], assertion: dict[str, Any]
) -> Passkey:
    issue(assertion["challenge"])
    passkeys.authentication_options(session, user)
    return passkeys.authenticate(session, user, as_json(assertion["credential"]))


def actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user, action__startswith="accounts.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# --- The relying party ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("http://localhost:8106", ("localhost", "http://localhost:8106")),
        ("https://rebond.example.org", ("rebond.example.org", "https://rebond.example.org")),
        # The browser leaves the default port, the path and upper case out of the origin.
        ("https://Rebond.Example.org:443/", ("rebond.example.org", "https://rebond.example.org")),
        (
            "https://rebond.example.org:8443",
            ("rebond.example.org", "https://rebond.example.org:8443"),
        ),
        ("http://clinic.test:80/rebond", ("clinic.test", "http://clinic.test")),
    ],
)
def test_the_relying_party_is_the_site_address(
    settings: Any, site_url: str, expected: tuple[str, str]
) -> None:
    settings.SITE_URL = site_url
    rp = passkeys.relying_party()
    assert rp is not None
    assert (rp.id, rp.origin) == expected


@pytest.mark.parametrize(
    "site_url", ["http://127.0.0.1:8000", "http://[::1]:8000", "https://10.0.0.5", "ftp://x.test"]
)
def test_passkeys_are_unavailable_at_a_numeric_address(settings: Any, site_url: str) -> None:
    """Browsers refuse an IP address as RP id ("This is an invalid domain")."""
    settings.SITE_URL = site_url
    assert passkeys.relying_party() is None
    with pytest.raises(passkeys.PasskeyError):
        passkeys.registration_options(SessionStore(), User())


# --- Registration ---------------------------------------------------------------------------
def test_the_creation_options_name_this_site_prefer_user_verification_and_exclude_known_keys(
    pat: User, issue: Callable[[str], None]
) -> None:
    session = SessionStore()
    options = passkeys.registration_options(session, pat)
    assert options["rp"] == {"id": "localhost", "name": "Rebond"}
    assert b64url_bytes(options["user"]["id"]) == pat.pk.bytes
    assert options["user"]["name"] == pat.email
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["timeout"] == passkeys.CHALLENGE_SECONDS * 1000
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    assert session[passkeys.SESSION_KEY]["challenge"] == options["challenge"]

    register(SessionStore(), pat, issue)
    again = passkeys.registration_options(SessionStore(), pat)
    assert [c["id"] for c in again["excludeCredentials"]] == [CREDENTIAL_ID]


def test_a_recorded_registration_is_verified_and_kept(
    pat: User, issue: Callable[[str], None]
) -> None:
    session = SessionStore()
    passkey = register(session, pat, issue)
    passkey.refresh_from_db()
    assert passkey.user == pat
    assert passkey.name == "Work laptop"
    assert passkey.credential_id == CREDENTIAL_ID
    assert passkey.transports == ["internal"]
    assert passkey.sign_count < counter_of(FIRST)
    assert passkey.last_used_at is None
    # The challenge was used up.
    assert passkeys.SESSION_KEY not in session
    assert actions(pat) == ["accounts.passkey.register"]


def test_the_same_credential_is_not_registered_twice(
    pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    with pytest.raises(passkeys.PasskeyError, match="already set up"):
        register(SessionStore(), pat, issue)
    assert Passkey.objects.count() == 1
    assert actions(pat) == ["accounts.passkey.register", "accounts.passkey.register_fail"]


def test_a_registration_answering_another_challenge_is_refused(
    pat: User, issue: Callable[[str], None]
) -> None:
    session = SessionStore()
    passkeys.registration_options(session, pat)  # a fresh random challenge
    with pytest.raises(passkeys.PasskeyError):
        passkeys.register(session, pat, "Laptop", as_json(REGISTRATION["credential"]))
    assert Passkey.objects.count() == 0
    assert actions(pat) == ["accounts.passkey.register_fail"]


def test_a_registration_at_another_site_address_is_refused(
    pat: User, issue: Callable[[str], None], settings: Any
) -> None:
    settings.SITE_URL = "http://localhost:1"  # same RP id, another origin
    with pytest.raises(passkeys.PasskeyError):
        register(SessionStore(), pat, issue)
    assert Passkey.objects.count() == 0


# --- Authentication -------------------------------------------------------------------------
def test_a_recorded_assertion_is_verified_and_moves_the_counter_on(
    pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    session = SessionStore()
    issue(FIRST["challenge"])
    options = passkeys.authentication_options(session, pat)
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "preferred"
    assert [(c["id"], c["transports"]) for c in options["allowCredentials"]] == [
        (CREDENTIAL_ID, ["internal"])
    ]
    passkey = passkeys.authenticate(session, pat, as_json(FIRST["credential"]))
    passkey.refresh_from_db()
    assert passkey.sign_count == counter_of(FIRST)
    assert passkey.last_used_at is not None
    assert passkeys.SESSION_KEY not in session
    # The next one, with its own challenge, is accepted too.
    passkey = authenticate(SessionStore(), pat, issue, SECOND)
    assert Passkey.objects.get().sign_count == counter_of(SECOND)


def test_a_replayed_assertion_is_refused(pat: User, issue: Callable[[str], None]) -> None:
    register(SessionStore(), pat, issue)
    session = SessionStore()
    authenticate(session, pat, issue, FIRST)
    # The same answer again: its challenge was used up.
    with pytest.raises(passkeys.PasskeyError, match="took too long or was already used"):
        passkeys.authenticate(session, pat, as_json(FIRST["credential"]))
    # Even if a later challenge were the same bytes, the counter has not gone up.
    with pytest.raises(passkeys.PasskeyError, match="may have been copied"):
        authenticate(SessionStore(), pat, issue, FIRST)
    assert Passkey.objects.get().sign_count == counter_of(FIRST)


def test_an_assertion_answering_another_challenge_is_refused(
    pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    session = SessionStore()
    issue(SECOND["challenge"])
    passkeys.authentication_options(session, pat)
    with pytest.raises(passkeys.PasskeyError, match="could not be checked"):
        passkeys.authenticate(session, pat, as_json(FIRST["credential"]))
    assert Passkey.objects.get().last_used_at is None
    assert actions(pat)[-1] == "accounts.passkey.fail"


def test_an_assertion_made_at_another_origin_is_refused(
    pat: User, issue: Callable[[str], None]
) -> None:
    assert ELSEWHERE["origin"] != RECORDED["origin"]
    register(SessionStore(), pat, issue)
    with pytest.raises(passkeys.PasskeyError, match="could not be checked"):
        authenticate(SessionStore(), pat, issue, ELSEWHERE)
    assert Passkey.objects.get().last_used_at is None
    assert actions(pat)[-1] == "accounts.passkey.fail"


def test_a_counter_that_goes_back_is_refused_and_audited_as_a_possible_copy(
    pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    authenticate(SessionStore(), pat, issue, SECOND)
    # A validly signed assertion with a lower count: another authenticator with the same key.
    assert counter_of(FIRST) < counter_of(SECOND)
    with pytest.raises(passkeys.PasskeyError, match="may have been copied"):
        authenticate(SessionStore(), pat, issue, FIRST)
    assert Passkey.objects.get().sign_count == counter_of(SECOND)
    entry = AuditEntry.objects.get(action="accounts.passkey.sign_count_regressed")
    assert entry.object_id == str(Passkey.objects.get().pk)


def test_a_forged_signature_is_refused_and_raises_no_copy_alarm(
    pat: User, issue: Callable[[str], None]
) -> None:
    """The counter is compared only after the signature: an unsigned claim of a lower count
    is an ordinary failure, not an alarm anyone could raise."""
    register(SessionStore(), pat, issue)
    authenticate(SessionStore(), pat, issue, SECOND)
    forged = json.loads(json.dumps(FIRST["credential"]))
    signature = bytearray(b64url_bytes(forged["response"]["signature"]))
    signature[-1] ^= 0x01
    forged["response"]["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    issue(FIRST["challenge"])
    session = SessionStore()
    passkeys.authentication_options(session, pat)
    with pytest.raises(passkeys.PasskeyError, match="could not be checked"):
        passkeys.authenticate(session, pat, as_json(forged))
    assert not AuditEntry.objects.filter(action="accounts.passkey.sign_count_regressed").exists()


def test_an_expired_challenge_is_refused(pat: User, issue: Callable[[str], None]) -> None:
    register(SessionStore(), pat, issue)
    session = SessionStore()
    issue(FIRST["challenge"])
    passkeys.authentication_options(session, pat)
    stored = session[passkeys.SESSION_KEY]
    stored["expires_at"] = (now() - timedelta(seconds=1)).isoformat()
    session[passkeys.SESSION_KEY] = stored
    with pytest.raises(passkeys.PasskeyError, match="took too long"):
        passkeys.authenticate(session, pat, as_json(FIRST["credential"]))
    assert Passkey.objects.get().last_used_at is None


def test_a_challenge_serves_one_purpose_and_one_clinician(
    pat: User, bob: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    # A registration challenge does not answer a login.
    session = SessionStore()
    issue(FIRST["challenge"])
    passkeys.registration_options(session, pat)
    with pytest.raises(passkeys.PasskeyError, match="took too long"):
        passkeys.authenticate(session, pat, as_json(FIRST["credential"]))
    # Nor does a challenge issued to Bob's login.
    session = SessionStore()
    passkeys.authentication_options(session, bob)
    with pytest.raises(passkeys.PasskeyError, match="took too long"):
        passkeys.authenticate(session, pat, as_json(FIRST["credential"]))


def test_another_clinicians_passkey_is_refused(
    pat: User, bob: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    with pytest.raises(passkeys.PasskeyError, match="not set up for your account"):
        authenticate(SessionStore(), bob, issue, FIRST)
    assert actions(bob) == ["accounts.passkey.fail"]


def test_an_assertion_whose_user_handle_is_another_account_is_refused(
    clinic_a: Clinic, issue: Callable[[str], None]
) -> None:
    """The credential registered to another account than the one whose handle it carries."""
    other = make_clinician(clinic_a, "Other")
    register(SessionStore(), other, issue)
    with pytest.raises(passkeys.PasskeyError, match="could not be checked"):
        authenticate(SessionStore(), other, issue, FIRST)


@pytest.mark.parametrize("garbage", ["", "not json", "[]", '{"id": 5}', '{"id": "x"}'])
def test_garbage_is_refused(pat: User, issue: Callable[[str], None], garbage: str) -> None:
    register(SessionStore(), pat, issue)
    session = SessionStore()
    passkeys.authentication_options(session, pat)
    with pytest.raises(passkeys.PasskeyError):
        passkeys.authenticate(session, pat, garbage)
    assert actions(pat)[-1] == "accounts.passkey.fail"


def test_audit_entries_hold_no_credential_material(pat: User, issue: Callable[[str], None]) -> None:
    register(SessionStore(), pat, issue)
    authenticate(SessionStore(), pat, issue, FIRST)
    secrets = [
        REGISTRATION["credential"]["response"]["attestationObject"],
        FIRST["credential"]["response"]["signature"],
        FIRST["challenge"],
        CREDENTIAL_ID,
    ]
    for entry in AuditEntry.objects.all():
        text = repr(entry.__dict__)
        assert not any(secret in text for secret in secrets)


# --- Removal --------------------------------------------------------------------------------
def test_a_passkey_is_removed_while_the_app_remains(
    pat: User, issue: Callable[[str], None]
) -> None:
    passkey = register(SessionStore(), pat, issue)
    passkeys.remove(pat, passkey)
    assert not Passkey.objects.exists()
    assert actions(pat)[-1] == "accounts.passkey.remove"


def test_the_last_passkey_stays_when_there_is_no_app(
    pat: User, issue: Callable[[str], None]
) -> None:
    """A clinician always keeps a second factor: the app, or else a passkey."""
    passkey = register(SessionStore(), pat, issue)
    TOTPDevice.objects.filter(user=pat).delete()
    with pytest.raises(passkeys.PasskeyError, match="only second factor"):
        passkeys.remove(pat, passkey)
    assert Passkey.objects.count() == 1


# --- Through the pages ----------------------------------------------------------------------
def login_options(client: Client) -> dict[str, Any]:
    r = client.post(reverse("passkey_authentication_options"))
    assert r.status_code == 200, r.content
    return dict(r.json()["options"])


def test_the_code_page_offers_a_passkey_only_to_a_clinician_who_has_one(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    sign_in_password_only(client, pat)
    page = client.get(reverse("mfa_verify")).content.decode()
    assert "Use a passkey" not in page
    assert client.post(reverse("passkey_authentication_options")).status_code == 409
    register(SessionStore(), pat, issue)
    page = client.get(reverse("mfa_verify")).content.decode()
    assert "Use a passkey" in page
    assert "accounts/passkeys.js" in page


def test_a_passkey_completes_the_login_after_the_password(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    client.post(reverse("login"), {"username": pat.email, "password": PASSWORD})
    password_only_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("caseload")).status_code == 302
    issue(FIRST["challenge"])
    login_options(client)
    r = client.post(
        reverse("passkey_verify"),
        {"credential": as_json(FIRST["credential"]), "next": "/cases/"},
    )
    assert r.status_code == 302
    assert r["Location"] == "/cases/"
    # A new session key at the second factor (SE-01), and the clinical pages open.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != password_only_key
    assert client.get(reverse("caseload")).status_code == 200
    assert actions(pat)[-1] == "accounts.passkey.verify"


def test_a_refused_passkey_leaves_the_login_unfinished_and_says_why(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    sign_in_password_only(client, pat)
    issue(SECOND["challenge"])
    login_options(client)
    r = client.post(reverse("passkey_verify"), {"credential": as_json(FIRST["credential"])})
    assert r.status_code == 200
    page = r.content.decode()
    assert "<title>Error: Enter your code" in page
    assert "The passkey could not be checked" in page
    assert client.get(reverse("caseload")).status_code == 302


def test_failed_passkeys_are_throttled_like_codes(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    sign_in_password_only(client, pat)
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        login_options(client)
        r = client.post(reverse("passkey_verify"), {"credential": as_json(ELSEWHERE["credential"])})
        assert r.status_code == 200
    # Now even a good answer waits, and a code too: one count for both factors.
    issue(FIRST["challenge"])
    login_options(client)
    r = client.post(reverse("passkey_verify"), {"credential": as_json(FIRST["credential"])})
    assert r.status_code == 429
    assert "Too many login attempts" in r.content.decode()
    assert client.post(reverse("mfa_verify"), {"code": unused_totp_code(pat)}).status_code == 429
    assert Passkey.objects.get().last_used_at is None
    assert client.get(reverse("caseload")).status_code == 302


def test_step_up_accepts_the_password_and_a_passkey(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    sign_in(client, pat)
    session = client.session
    mfa.mark_session_verified(session, pat, at=now() - timedelta(minutes=30))
    session.save()
    target = reverse("mfa_recovery_codes")
    assert client.get(target).status_code == 302
    page = client.get(reverse("reauthenticate"), {"next": target}).content.decode()
    assert "Confirm with a passkey" in page
    issue(FIRST["challenge"])
    login_options(client)
    r = client.post(
        reverse("reauthenticate"),
        {"password": PASSWORD, "passkey_credential": as_json(FIRST["credential"]), "next": target},
    )
    assert r.status_code == 302
    assert r["Location"] == target
    assert client.get(target).status_code == 200
    entry = AuditEntry.objects.filter(action="accounts.reauthenticate").get()
    assert entry.object_id == str(Passkey.objects.get().pk)


def test_step_up_with_a_wrong_password_does_not_spend_the_passkey(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    register(SessionStore(), pat, issue)
    sign_in(client, pat)
    session = client.session
    mfa.mark_session_verified(session, pat, at=now() - timedelta(minutes=30))
    session.save()
    issue(FIRST["challenge"])
    login_options(client)
    r = client.post(
        reverse("reauthenticate"),
        {"password": "wrong", "passkey_credential": as_json(FIRST["credential"])},
    )
    assert r.status_code == 200
    assert "The password or the passkey is not right" in r.content.decode()
    assert Passkey.objects.get().last_used_at is None
    assert passkeys.SESSION_KEY not in client.session
    assert not mfa.authenticated_within(_request_for(client, pat), timedelta(minutes=5))


def _request_for(client: Client, user: User) -> Any:
    """A stand-in request holding the client's session, for mfa's session readers."""

    class Request:
        pass

    request = Request()
    request.session = client.session  # type: ignore[attr-defined]
    request.user = user  # type: ignore[attr-defined]
    return request


def test_adding_a_passkey_needs_a_recent_authentication_and_a_name(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    sign_in(client, pat)
    r = client.post(reverse("passkey_registration_options"), {"name": ""})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Give the passkey a name, such as the device it is on.",
        "field": "name",
    }
    session = client.session
    mfa.mark_session_verified(session, pat, at=now() - timedelta(minutes=30))
    session.save()
    r = client.post(reverse("passkey_registration_options"), {"name": "Laptop"})
    assert r.status_code == 403
    assert (
        r.json()["redirect"]
        == "/accounts/reauthenticate/?next=%2Faccounts%2Ftwo-factor%2Fpasskeys%2Fadd%2F"
    )
    assert client.get(reverse("passkey_add")).status_code == 302


def test_a_passkey_is_added_through_the_page(
    client: Client, pat: User, issue: Callable[[str], None]
) -> None:
    sign_in(client, pat)
    page = client.get(reverse("passkey_add")).content.decode()
    assert 'data-passkey="register"' in page
    issue(REGISTRATION["challenge"])
    r = client.post(reverse("passkey_registration_options"), {"name": "Work laptop"})
    assert r.status_code == 200
    assert r.json()["options"]["challenge"] == REGISTRATION["challenge"]
    r = client.post(
        reverse("passkey_add"),
        {"name": "Work laptop", "credential": as_json(REGISTRATION["credential"])},
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("mfa_settings")
    page = client.get(reverse("mfa_settings")).content.decode()
    assert "Passkey “Work laptop” added" in page
    assert "not used yet" in page


def test_a_post_without_the_browsers_part_is_refused_with_a_clear_error(
    client: Client, pat: User
) -> None:
    sign_in(client, pat)
    r = client.post(reverse("passkey_add"), {"name": "Laptop", "credential": ""})
    assert r.status_code == 200
    page = r.content.decode()
    assert "<title>Error: Add a passkey" in page
    assert "follow your browser" in page
    assert not Passkey.objects.exists()


def test_only_the_owner_reaches_a_passkeys_removal(
    client: Client, pat: User, bob: User, issue: Callable[[str], None]
) -> None:
    passkey = register(SessionStore(), pat, issue)
    url = reverse("passkey_remove", kwargs={"passkey_id": passkey.pk})
    sign_in(client, bob)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Passkey.objects.count() == 1
    sign_in(client, pat)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Passkey.objects.exists()


def test_at_a_numeric_address_the_pages_explain_and_offer_no_passkey(
    client: Client, pat: User, issue: Callable[[str], None], settings: Any
) -> None:
    register(SessionStore(), pat, issue)
    settings.SITE_URL = "http://127.0.0.1:8000"  # `make run`'s default address
    sign_in(client, pat)
    page = client.get(reverse("mfa_settings")).content.decode()
    assert "Passkeys work only when Rebond is reached by a name" in page
    assert reverse("passkey_add") not in page
    assert "Work laptop" in page  # still listed, and removable
    r = client.post(reverse("passkey_registration_options"), {"name": "Laptop"})
    assert r.status_code == 409
    sign_in_password_only(client, pat)
    assert "Use a passkey" not in client.get(reverse("mfa_verify")).content.decode()


def test_a_clinician_keeps_at_most_ten_passkeys(client: Client, pat: User) -> None:
    for n in range(passkeys.MAX_PASSKEYS):
        Passkey.objects.create(user=pat, credential_id=f"key-{n}", public_key=b"-", name=f"K{n}")
    sign_in(client, pat)
    r = client.post(reverse("passkey_registration_options"), {"name": "One more"})
    assert r.status_code == 409
    assert r.json()["error"].startswith("You have 10 passkeys")
    assert passkeys.SESSION_KEY not in client.session
