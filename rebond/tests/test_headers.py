"""Security headers every response carries (SECURITY.md, ASVS 5.0 3.4.x and 14.3.2)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.test import sign_in

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, set[str]]:
    result = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            result[words[0]] = set(words[1:])
    return result


@pytest.mark.parametrize("logged_in", [False, True])
def test_pages_carry_a_strict_content_security_policy(
    client: Client, alice: User, logged_in: bool
) -> None:
    if logged_in:
        sign_in(client, alice)
    r = client.get(reverse("caseload" if logged_in else "login"))
    csp = directives(r["Content-Security-Policy"])
    assert csp["default-src"] == {"'none'"}
    assert csp["object-src"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["style-src"] == {"'self'"}
    # Scripts from this origin only, plus the per-response nonce; never inline or eval.
    assert "'self'" in csp["script-src"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & csp["script-src"]
    assert any(s.startswith("'nonce-") for s in csp["script-src"])


def test_pages_are_never_cached_and_never_framed(client: Client, alice: User) -> None:
    sign_in(client, alice)
    r = client.get(reverse("caseload"))
    assert r["Cache-Control"] == "no-store"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"


def test_each_response_gets_its_own_nonce(client: Client) -> None:
    first = directives(client.get(reverse("login"))["Content-Security-Policy"])["script-src"]
    second = directives(client.get(reverse("login"))["Content-Security-Policy"])["script-src"]
    assert first != second


def test_logout_needs_a_post(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("logout")).status_code == 405
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    assert client.get(reverse("caseload")).status_code == 302
