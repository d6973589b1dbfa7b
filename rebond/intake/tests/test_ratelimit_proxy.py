"""Behind a reverse proxy, the request limit counts each client, not the proxy (issue 15, C10).

Every request reaches Rebond from the proxy's address; the client is the address the proxy
appended to X-Forwarded-For (TRUSTED_PROXY_COUNT=1), the same address login throttling uses.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

from rebond.accounts import throttle
from rebond.accounts.models import Clinic, CrisisResource
from rebond.intake import ratelimit
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import valid_post
from rebond.tests import figures

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # nginx on the same host or network: every request comes from here
FIGURE = "C10 consultation requests behind a proxy"
# A request taken redirects to its receipt (Post/Redirect/Get, issue 15 C13).
TAKEN = 302


def submit_via_proxy(clinic: Clinic, client_address: str, **fields: str) -> Any:
    # The client may send its own X-Forwarded-For; the proxy appends the address it saw.
    forwarded = f"192.0.2.250, {client_address}"
    return Client().post(
        reverse("consultation_request", args=[clinic.slug]),
        valid_post(**fields),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_clients_behind_a_proxy_are_counted_apart_and_a_flood_is_refused(
    settings: Settings, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    clients = [f"198.51.100.{n}" for n in range(1, 9)]
    accepted = sum(submit_via_proxy(clinic_a, address).status_code == TAKEN for address in clients)
    figures.record(FIGURE, "clients accepted", f"{accepted}/{len(clients)}")
    assert accepted == len(clients)

    flooder = "203.0.113.66"
    for _ in range(ratelimit.LIMIT):
        assert submit_via_proxy(clinic_a, flooder).status_code == TAKEN
    refused = submit_via_proxy(clinic_a, flooder, name="Flood")
    figures.record(FIGURE, f"flooding address, request {ratelimit.LIMIT + 1}", refused.status_code)
    assert refused.status_code == 429
    body = refused.content.decode()
    # Whoever is refused is still offered help now: the clinic's crisis resources.
    shown = crisis_line.phone in body
    figures.record(FIGURE, "crisis resources on the refusal", "shown" if shown else "missing")
    assert "If you are not safe right now" in body
    assert crisis_line.name in body
    assert shown
    assert "Flood" not in {request.name for request in ConsultationRequest.objects.all()}

    # The flood did not use up anybody else's allowance.
    after_flood = submit_via_proxy(clinic_a, "198.51.100.200")
    assert after_flood.status_code == TAKEN


def test_the_request_limit_and_login_throttling_see_the_same_client(
    settings: Settings, clinic_a: Clinic, rf: RequestFactory
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    same_client = rf.post("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert throttle.client_ip(request) == "198.51.100.7"
    assert ratelimit.client_key(request, clinic_a) == ratelimit.client_key(same_client, clinic_a)
