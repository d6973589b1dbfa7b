"""Sending the public request form once stores one request, however often the page is
reloaded or revisited, and leaves nothing typed behind for the Back button (issue 15 C13).

Post/Redirect/Get: a sent form answers with a redirect to a receipt page, so a reload asks
for the receipt again, not the form. An idempotency key in a hidden field (a fresh one on every
form) makes the same form sent twice one request. The form asks the browser not to keep or
suggest what was typed (autocomplete="off"), and no page of it is stored (no-store).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import Clinic, CrisisResource
from rebond.intake.models import ConsultationRequest, RateLimitHit
from rebond.intake.tests.conftest import valid_post
from rebond.tests.figures import Figures

pytestmark = pytest.mark.django_db

KEY_RE = re.compile(r'<input type="hidden" name="submission_key" value="([A-Za-z0-9_-]+)"')


def form_url(clinic: Clinic) -> str:
    return reverse("consultation_request", args=[clinic.slug])


def receipt_url(clinic: Clinic) -> str:
    return reverse("consultation_request_sent", args=[clinic.slug])


def fresh_key(client: Client, clinic: Clinic) -> str:
    match = KEY_RE.search(client.get(form_url(clinic)).content.decode())
    assert match is not None
    return match.group(1)


def test_a_sent_form_redirects_to_its_receipt(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    data = valid_post(feels_safe="not_sure", submission_key=fresh_key(client, clinic_a))
    r = client.post(form_url(clinic_a), data)
    assert r.status_code == 302
    assert r["Location"] == receipt_url(clinic_a)
    receipt = client.get(r["Location"])
    assert receipt.status_code == 200
    body = receipt.content.decode()
    assert "Thank you" in body
    assert "116 123" in body  # They were not sure they are safe: the crisis resources.
    assert receipt["Cache-Control"] == "no-store"
    assert ConsultationRequest.objects.count() == 1


def test_someone_safe_gets_a_receipt_without_crisis_resources(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    client.post(form_url(clinic_a), valid_post(submission_key=fresh_key(client, clinic_a)))
    assert "Samaritans" not in client.get(receipt_url(clinic_a)).content.decode()


def test_sending_the_same_form_again_stores_one_request(
    client: Client, clinic_a: Clinic, figures: Figures
) -> None:
    data = valid_post(submission_key=fresh_key(client, clinic_a))
    for _ in range(3):  # A double tap, then Back and Send again on the same page.
        r = client.post(form_url(clinic_a), data)
        assert r.status_code == 302
        assert r["Location"] == receipt_url(clinic_a)
    for _ in range(3):  # Reloads of the receipt.
        assert client.get(receipt_url(clinic_a)).status_code == 200
    stored = ConsultationRequest.objects.count()
    figures.record("C13 request form", "requests stored after 3 sends and 3 reloads", stored)
    assert stored == 1
    assert RateLimitHit.objects.count() == 1  # A repeat does not use up the allowance.


def test_every_form_carries_a_fresh_key_and_asks_not_to_be_remembered(
    client: Client, clinic_a: Clinic
) -> None:
    r = client.get(form_url(clinic_a))
    assert r["Cache-Control"] == "no-store"
    body = r.content.decode()
    form = re.search(r'<form method="post"[^>]*>', body)
    assert form is not None
    assert 'autocomplete="off"' in form.group(0)
    assert 'autocomplete="given-name"' not in body
    assert fresh_key(client, clinic_a) != fresh_key(client, clinic_a)


def test_two_forms_sent_are_two_requests(client: Client, clinic_a: Clinic) -> None:
    for _ in range(2):
        client.post(form_url(clinic_a), valid_post(submission_key=fresh_key(client, clinic_a)))
    assert ConsultationRequest.objects.count() == 2


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "<script>", "a b c d e f g h i j k l"])
def test_a_missing_or_malformed_key_never_loses_the_request(
    client: Client, clinic_a: Clinic, key: str
) -> None:
    r = client.post(form_url(clinic_a), valid_post(submission_key=key))
    assert r.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_the_same_key_at_another_clinic_is_not_a_repeat(
    client: Client, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    key = fresh_key(client, clinic_a)
    client.post(form_url(clinic_a), valid_post(submission_key=key))
    r = client.post(form_url(clinic_b), valid_post(submission_key=key, name="Other"))
    assert r.status_code == 302
    assert r["Location"] == receipt_url(clinic_b)
    assert {c.name for c in ConsultationRequest.objects.filter(clinic=clinic_b)} == {"Other"}


def test_the_receipt_shows_only_in_the_browser_that_sent_and_only_for_a_while(
    client: Client, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    # Nothing sent from this browser: the receipt page is the form's address again.
    r = client.get(receipt_url(clinic_a))
    assert r.status_code == 302
    assert r["Location"] == form_url(clinic_a)
    client.post(form_url(clinic_a), valid_post(submission_key=fresh_key(client, clinic_a)))
    assert client.get(receipt_url(clinic_a)).status_code == 200
    assert Client().get(receipt_url(clinic_a)).status_code == 302
    assert client.get(receipt_url(clinic_b)).status_code == 302
    # Nothing the person typed or chose is kept in the session, only the request's id.
    session = client.session
    blob = repr(dict(session.items()))
    for typed in ("Robin", "+44 7700 900123", "Weekdays 9 to 12", "yes", "infidelity"):
        assert typed not in blob
    # Later, the receipt is gone: whoever picks up the device later does not see it.
    data = session["rebond.intake.sent"]
    data["at"] = (now() - timedelta(minutes=31)).isoformat()
    session["rebond.intake.sent"] = data
    session.save()
    assert client.get(receipt_url(clinic_a)).status_code == 302


def test_a_bot_filling_the_honeypot_is_still_redirected_and_nothing_is_kept(
    client: Client, clinic_a: Clinic
) -> None:
    data = valid_post(website="https://spam.example", submission_key=fresh_key(client, clinic_a))
    r = client.post(form_url(clinic_a), data, follow=True)
    assert r.redirect_chain == [(receipt_url(clinic_a), 302)]
    assert "Thank you" in r.content.decode()
    assert ConsultationRequest.objects.count() == 0
