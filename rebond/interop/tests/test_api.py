"""The JSON API: token authentication, the web's scoping, audited reads, a schema for clinicians."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.interop import tokens
from rebond.interop.models import ApiToken, hash_api_token
from rebond.test import sign_in, sign_in_password_only

pytestmark = pytest.mark.django_db


def _get(client: Client, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


SCHEMA = "/api/v1/openapi.json"


def test_the_openapi_schema_answers_a_token_and_lists_the_operations(
    client: Client, alice: User
) -> None:
    _, clear = tokens.create_token(alice, "codegen")
    response = _get(client, SCHEMA, clear)
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) == {
        "/api/v1/cases",
        "/api/v1/cases/{couple_id}",
        "/api/v1/cases/{couple_id}/administrations",
        "/api/v1/administrations/{administration_id}/scores",
        "/api/v1/alerts",
    }


def test_the_openapi_schema_answers_a_session_only_past_the_second_factor(
    client: Client, alice: User
) -> None:
    assert _get(client, SCHEMA, None).status_code == 401
    assert _get(client, SCHEMA, "rbd_not-a-token").status_code == 401
    sign_in_password_only(client, alice)
    refused = _get(client, SCHEMA, None)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Unauthorized"}
    sign_in(client, alice)
    assert _get(client, SCHEMA, None).json()["info"]["title"] == "Rebond API"


def test_a_request_without_a_live_token_is_refused(client: Client, alice: User) -> None:
    assert _get(client, "/api/v1/cases", None).status_code == 401
    assert _get(client, "/api/v1/cases", "rbd_not-a-token").status_code == 401
    token, clear = tokens.create_token(alice, "test")
    assert _get(client, "/api/v1/cases", clear).status_code == 200
    tokens.revoke_token(alice, token.id)
    assert _get(client, "/api/v1/cases", clear).status_code == 401
    _, other = tokens.create_token(alice, "expired")
    ApiToken.objects.filter(token_hash=hash_api_token(other)).update(
        expires_at=now() - timedelta(seconds=1)
    )
    assert _get(client, "/api/v1/cases", other).status_code == 401


def test_a_token_is_stored_only_as_its_hash(alice: User) -> None:
    token, clear = tokens.create_token(alice, "test")
    assert clear not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.token_hash == hash_api_token(clear)


def test_the_api_sees_exactly_what_the_web_sees(
    client: Client, demo_couple: Couple, bob: User
) -> None:
    therapist = demo_couple.primary_clinician
    _, mine = tokens.create_token(therapist, "mine")
    cases = _get(client, "/api/v1/cases", mine).json()
    assert str(demo_couple.id) in {c["id"] for c in cases}
    admins = _get(client, f"/api/v1/cases/{demo_couple.id}/administrations", mine).json()
    submitted = [a for a in admins if a["status"] == "submitted"]
    assert submitted
    scores = _get(client, f"/api/v1/administrations/{submitted[0]['id']}/scores", mine).json()
    assert scores["instrument"] == submitted[0]["instrument"]
    # A colleague of another clinic or off the case gets 404s, as on the web.
    from rebond.test import make_clinic, make_clinician

    outsider = make_clinician(make_clinic("Other"), "Olga Outsider")
    _, theirs = tokens.create_token(outsider, "theirs")
    assert _get(client, "/api/v1/cases", theirs).json() == []
    assert _get(client, f"/api/v1/cases/{demo_couple.id}", theirs).status_code == 404
    path = f"/api/v1/administrations/{submitted[0]['id']}/scores"
    assert _get(client, path, theirs).status_code == 404


def test_a_deactivated_clinicians_token_stops_working(client: Client, alice: User) -> None:
    _, clear = tokens.create_token(alice, "test")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert _get(client, "/api/v1/cases", clear).status_code == 401


def test_every_api_read_is_audited(client: Client, demo_couple: Couple) -> None:
    _, clear = tokens.create_token(demo_couple.primary_clinician, "test")
    _get(client, f"/api/v1/cases/{demo_couple.id}", clear)
    entry = AuditEntry.objects.filter(action="read:api_get_case").get()
    assert entry.object_id == str(demo_couple.id)


def test_the_documentation_page_is_a_clinician_page_served_from_this_server(
    client: Client, alice: User
) -> None:
    docs = "/api/v1/docs/"
    assert client.get(docs)["Location"].startswith("/accounts/login/")
    sign_in_password_only(client, alice)
    assert client.get(docs)["Location"].startswith("/accounts/two-factor/")
    sign_in(client, alice)
    page = client.get(docs)
    assert page.status_code == 200
    html = page.content.decode()
    # Swagger UI and its start-up script come from our static files, never another host.
    assert '<script src="/static/ninja/swagger-ui-bundle.js"' in html
    assert '<script src="/static/ninja/swagger-ui-init.js"' in html
    assert "//cdn" not in html
    assert "https://" not in html
    assert '"url": "/api/v1/openapi.json"' in html
