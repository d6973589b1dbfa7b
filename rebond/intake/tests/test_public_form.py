"""The public consultation request page: what an anonymous visitor sees, sends and gets back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.audit.models import AuditEntry
from rebond.intake import ratelimit
from rebond.intake.models import ConsultationRequest, RateLimitHit
from rebond.intake.tasks import SUBJECT
from rebond.intake.tests.conftest import valid_post
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db


def url(clinic: Clinic) -> str:
    return reverse("consultation_request", args=[clinic.slug])


def test_the_page_is_public_neutral_and_not_indexed(client: Client, clinic_a: Clinic) -> None:
    r = client.get(url(clinic_a))
    assert r.status_code == 200
    body = r.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    assert title is not None
    assert "Clinic A" in title.group(1)
    for word in ("abuse", "betrayal", "violence", "affair"):
        assert word not in title.group(1).lower()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert 'aria-label="Main"' not in body  # No clinician navigation.


def test_every_public_page_offers_the_quick_exit_at_the_top(
    client: Client, clinic_a: Clinic
) -> None:
    body = client.get(url(clinic_a)).content.decode()
    # Right after the skip link, before anything else that can take focus.
    exit_at = body.index("data-quick-exit")
    assert body.index('class="skip-link"') < exit_at < body.index('id="main"')
    assert 'href="https://www.bbc.co.uk/weather" rel="noreferrer"' in body
    assert "rebond/js/quick-exit.js" in body


def test_the_quick_exit_destination_is_a_setting(
    client: Client, clinic_a: Clinic, settings: Settings
) -> None:
    settings.QUICK_EXIT_URL = "https://weather.example/"
    assert 'href="https://weather.example/"' in client.get(url(clinic_a)).content.decode()


def test_a_clinician_visiting_the_public_page_sees_no_navigation_either(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    sign_in(client, alice)
    body = client.get(url(clinic_a)).content.decode()
    assert 'aria-label="Main"' not in body
    assert "Log out" not in body


def test_an_unknown_clinic_is_a_404(client: Client, db: None) -> None:
    assert client.get(reverse("consultation_request", args=["nowhere"])).status_code == 404


def test_the_crisis_panel_is_on_the_page_but_hidden_until_needed(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    body = client.get(url(clinic_a)).content.decode()
    assert "116 123" in body
    assert re.search(r"data-crisis-panel\s+hidden", body)
    assert "intake/js/request-form.js" in body


def test_a_valid_request_is_stored_audited_and_announced_without_content(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    make_clinician(clinic_a, "Sam Supervisor", is_therapist=False, is_supervisor=True)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url(clinic_a), valid_post(), follow=True)
    assert r.status_code == 200
    assert "Thank you" in r.content.decode()
    request = ConsultationRequest.objects.get()
    assert request.clinic == clinic_a
    assert request.status == ConsultationRequest.Status.NEW
    assert request.name == "Robin"
    assert request.contact_method == "text"
    assert request.may_leave_message is False
    assert request.concerns == ["infidelity", "broken_trust"]
    assert request.consented_at is not None
    entry = AuditEntry.objects.get(action="intake.request.submit")
    assert entry.actor_label == "public"
    assert entry.object_id == str(request.id)
    assert entry.clinic_id == clinic_a.id
    # One e-mail per therapist or clinic admin of the clinic; supervisors-only get none.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, admin.email])
    for message in mail.outbox:
        assert message.subject == SUBJECT
        assert message.body == (
            "A new consultation request is waiting in Rebond.\n\nhttp://127.0.0.1:8000/inbox/\n"
        )
        assert len(message.to) == 1
        assert not message.cc
        assert not message.bcc


def test_no_email_goes_to_another_clinic(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    charlie: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(clinic_a), valid_post())
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_no_request_content_reaches_an_email_or_the_audit_log(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    canary = "CANARY-intake-7f3a9c"
    data = valid_post(
        name=f"{canary}-name",
        contact_method="email",
        contact_value=f"{canary.lower()}@example.test",
        safe_times=f"{canary}-times",
        concerns_text=f"{canary}-text",
        feels_safe="no",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(clinic_a), data).status_code == 302
    assert len(mail.outbox) == 1
    for message in mail.outbox:
        blob = " ".join(
            [str(message.subject), str(message.body), *message.to, str(message.extra_headers)]
        )
        assert canary.lower() not in blob.lower()
    for entry in AuditEntry.objects.all():
        assert canary.lower() not in repr(entry.__dict__).lower()


def test_someone_not_sure_they_are_safe_sees_crisis_resources_after_sending(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    r = client.post(url(clinic_a), valid_post(feels_safe="not_sure"), follow=True)
    body = r.content.decode()
    assert r.status_code == 200
    assert "If you are not safe right now" in body
    assert "Samaritans" in body
    assert "116 123" in body


def test_someone_safe_is_thanked_without_crisis_resources(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    body = client.post(url(clinic_a), valid_post(feels_safe="yes"), follow=True).content.decode()
    assert "Samaritans" not in body


def test_errors_are_shown_per_field_and_nothing_typed_is_lost(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    data = valid_post(
        contact_method="email",
        contact_value="not an address",
        consent="",
        feels_safe="no",
        concerns_text="Some words",
    )
    r = client.post(url(clinic_a), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert "Enter an e-mail address like name@example.com" in body
    assert "We can only reply if you agree to be contacted." in body
    assert 'aria-describedby="id_contact_value-error id_contact_value-hint"' in body
    assert 'value="not an address"' in body
    assert "Some words</textarea>" in body
    assert re.search(r'value="no" checked', body)
    # They said they are not safe: the crisis resources are visible in the re-rendered form.
    assert re.search(r"data-crisis-panel\s*>", body)
    assert ConsultationRequest.objects.count() == 0
    assert RateLimitHit.objects.count() == 0


def test_a_phone_number_must_look_like_one(client: Client, clinic_a: Clinic) -> None:
    r = client.post(url(clinic_a), valid_post(contact_method="phone", contact_value="call me"))
    assert r.status_code == 400
    assert "Enter a phone number using digits" in r.content.decode()


def test_a_filled_honeypot_looks_accepted_but_nothing_is_kept_or_sent(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url(clinic_a), valid_post(website="https://spam.example"), follow=True)
    assert r.status_code == 200
    assert "Thank you" in r.content.decode()
    assert ConsultationRequest.objects.count() == 0
    assert AuditEntry.objects.filter(action="intake.request.submit").count() == 0
    assert mail.outbox == []
    assert RateLimitHit.objects.count() == 1  # Bots still use up their allowance.


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(
    client: Client, clinic_a: Clinic
) -> None:
    body = client.get(url(clinic_a)).content.decode()
    honeypot = re.search(r'<div class="hp-field" aria-hidden="true">.*?</div>', body, re.S)
    assert honeypot is not None
    assert 'tabindex="-1"' in honeypot.group(0)
    assert 'autocomplete="off"' in honeypot.group(0)


def test_the_sixth_request_within_the_hour_is_refused_calmly_and_not_saved(
    client: Client, clinic_a: Clinic, crisis_line: CrisisResource
) -> None:
    for _ in range(ratelimit.LIMIT):
        assert client.post(url(clinic_a), valid_post()).status_code == 302
    r = client.post(url(clinic_a), valid_post(name="Sixth"))
    assert r.status_code == 429
    body = r.content.decode()
    assert "Please try again later" in body
    assert "116 123" in body  # Crisis resources are offered even when refused.
    assert ConsultationRequest.objects.count() == ratelimit.LIMIT
    assert "Sixth" not in {r.name for r in ConsultationRequest.objects.all()}


def test_the_limit_is_per_address_and_per_clinic(
    client: Client, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    for _ in range(ratelimit.LIMIT):
        client.post(url(clinic_a), valid_post(), REMOTE_ADDR="192.0.2.1")
    assert client.post(url(clinic_a), valid_post(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post(url(clinic_a), valid_post(), REMOTE_ADDR="192.0.2.2").status_code == 302
    assert client.post(url(clinic_b), valid_post(), REMOTE_ADDR="192.0.2.1").status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_count(
    client: Client, clinic_a: Clinic
) -> None:
    for n in range(ratelimit.LIMIT):
        client.post(url(clinic_a), valid_post(), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    r = client.post(url(clinic_a), valid_post(), HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert r.status_code == 429


def test_the_raw_address_is_never_stored_and_old_hits_are_deleted(
    client: Client, clinic_a: Clinic
) -> None:
    old = RateLimitHit.objects.create(key="0" * 64, created_at=now() - timedelta(hours=2))
    client.post(url(clinic_a), valid_post(), REMOTE_ADDR="203.0.113.77")
    hit = RateLimitHit.objects.get()
    assert hit.pk != old.pk
    assert "203.0.113.77" not in hit.key
    assert len(hit.key) == 64


def test_hits_older_than_the_window_do_not_count(client: Client, clinic_a: Clinic) -> None:
    for _ in range(ratelimit.LIMIT):
        client.post(url(clinic_a), valid_post())
    RateLimitHit.objects.update(created_at=now() - ratelimit.WINDOW - timedelta(seconds=1))
    assert client.post(url(clinic_a), valid_post()).status_code == 302
    assert RateLimitHit.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(client: Client, clinic_a: Clinic, method: str) -> None:
    assert getattr(client, method)(url(clinic_a)).status_code == 405
