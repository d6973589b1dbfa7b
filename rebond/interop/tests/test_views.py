"""The export, import and token pages: step-up, downloads, errors shown, tokens shown once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import User
from rebond.assessments.models import Administration
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.interop.models import ApiToken, BackgroundJob, hash_api_token
from rebond.interop.tests.uploads import upload_csv
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def _stale(client: Client, user: User) -> None:
    session = client.session
    mfa.mark_session_verified(session, user, at=now() - timedelta(minutes=6))
    session.save()


def test_exports_need_a_fresh_password_and_second_factor(
    client: Client, demo_couple: Couple
) -> None:
    therapist = demo_couple.primary_clinician
    sign_in(client, therapist)
    _stale(client, therapist)
    path = reverse("interop:case_exports", kwargs={"couple_id": demo_couple.id})
    response = client.post(path, {"export": "fhir"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not AuditEntry.objects.filter(action__startswith="interop.export").exists()
    # After re-authentication the clinician comes back to the confirmation, shown on GET.
    sign_in(client, therapist)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Download FHIR bundle" in page.content


def test_a_clinician_off_the_case_gets_404_not_a_step_up(
    client: Client, demo_couple: Couple, bob: User
) -> None:
    sign_in(client, bob)
    _stale(client, bob)
    path = reverse("interop:case_exports", kwargs={"couple_id": demo_couple.id})
    assert client.get(path).status_code == 404


def test_the_fhir_and_person_downloads_are_attachments(client: Client, demo_couple: Couple) -> None:
    sign_in(client, demo_couple.primary_clinician)
    path = reverse("interop:case_exports", kwargs={"couple_id": demo_couple.id})
    fhir = client.post(path, {"export": "fhir"})
    assert fhir["Content-Type"] == "application/fhir+json"
    assert "attachment" in fhir["Content-Disposition"]
    assert json.loads(fhir.content)["resourceType"] == "Bundle"
    person = client.post(path, {"export": "person_A"})
    assert json.loads(person.content)["partner"]["role"] == "A"
    assert client.post(path, {"export": "nonsense"}).status_code == 400


def test_the_research_csv_is_started_from_the_caseload_page_as_a_background_job(
    client: Client, demo_couple: Couple
) -> None:
    sign_in(client, demo_couple.primary_clinician)
    response = client.post(reverse("interop:caseload_exports"), {"export": "research"})
    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.RESEARCH_CSV)
    assert response.status_code == 302
    assert response["Location"] == reverse("interop:job", kwargs={"job_id": job.id})
    assert client.post(reverse("interop:caseload_exports"), {"export": "x"}).status_code == 400


def test_a_bad_upload_shows_each_row_and_field_and_imports_nothing(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    body = b"partner_role,instrument,date,item_1\nZ,PHQ-9,2025-01-01,9\n"
    response, job = upload_csv(client, couple, body)
    assert job is not None
    assert job.status == BackgroundJob.Status.FAILED
    assert b"Nothing was imported" in response.content
    assert b"Row 2, partner_role: must be A or B." in response.content
    assert b"Row 2, item_1: 9 is not one of 0, 1, 2, 3." in response.content
    assert not Administration.objects.filter(couple=couple).exists()


def test_a_good_upload_imports_every_row(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    header = "partner_role,instrument,date," + ",".join(f"item_{n}" for n in range(1, 8))
    body = f"{header}\nA,GAD-7,2025-03-01,1,1,1,1,1,1,1\n".encode()
    response, _job = upload_csv(client, couple, body)
    assert response.status_code == 200
    assert b"1 check-in imported" in response.content
    assert Administration.objects.get(couple=couple).submission.total == 7


def test_a_new_token_is_shown_once_and_stored_hashed(client: Client, alice: User) -> None:
    sign_in(client, alice)
    response = client.post(reverse("interop:api_tokens"), {"name": "Dashboard"})
    token = ApiToken.objects.get(user=alice)
    clear = response.context["new_token"]
    assert token.token_hash == hash_api_token(clear)
    assert clear.encode() in response.content
    assert clear.encode() not in client.get(reverse("interop:api_tokens")).content


def test_a_clinician_revokes_only_their_own_token(client: Client, alice: User, bob: User) -> None:
    sign_in(client, bob)
    client.post(reverse("interop:api_tokens"), {"name": "Bob's"})
    token = ApiToken.objects.get(user=bob)
    sign_in(client, alice)
    revoke = reverse("interop:api_token_revoke", kwargs={"token_id": token.id})
    assert client.post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.is_live
    sign_in(client, bob)
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert not token.is_live
