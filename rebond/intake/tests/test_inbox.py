"""The clinicians' inbox: listing, filtering, the request page and the triage forms."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import make_request
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db

DETAIL_URLS = [
    "inbox_request",
    "inbox_request_accept",
    "inbox_request_decline",
    "inbox_request_spam",
    "inbox_request_convert",
]


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def test_the_inbox_lists_the_clinics_requests_newest_first(
    client: Client, clinic_a: Clinic, clinic_b: Clinic, alice: User
) -> None:
    make_request(clinic_a, name="Older")
    make_request(clinic_a, name="Newer")
    make_request(clinic_b, name="Elsewhere")
    r = login(client, alice).get(reverse("inbox"))
    assert r.status_code == 200
    body = r.content.decode()
    assert body.index("Newer") < body.index("Older")
    assert "Elsewhere" not in body


def test_the_inbox_filters_by_status(client: Client, clinic_a: Clinic, alice: User) -> None:
    make_request(clinic_a, name="Fresh")
    make_request(clinic_a, name="Junk", status=ConsultationRequest.Status.SPAM)
    login(client, alice)
    waiting = client.get(reverse("inbox")).content.decode()
    assert "Fresh" in waiting
    assert "Junk" not in waiting
    spam = client.get(reverse("inbox"), {"status": "spam"}).content.decode()
    assert "Junk" in spam
    assert "Fresh" not in spam
    everything = client.get(reverse("inbox"), {"status": "all"}).content.decode()
    assert "Junk" in everything
    assert "Fresh" in everything


@pytest.mark.parametrize("status", ["bogus", "", "status__in", "'; DROP TABLE x"])
def test_an_unknown_filter_shows_the_waiting_requests(
    client: Client, clinic_a: Clinic, alice: User, status: str
) -> None:
    make_request(clinic_a, name="Fresh")
    r = login(client, alice).get(reverse("inbox"), {"status": status, "page": "x"})
    assert r.status_code == 200
    assert "Fresh" in r.content.decode()


def test_the_inbox_shows_who_did_not_say_they_are_safe(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    make_request(clinic_a, feels_safe=ConsultationRequest.FeelsSafe.NOT_SURE)
    body = login(client, alice).get(reverse("inbox")).content.decode()
    assert "Safety: not sure" in body


def test_the_navigation_counts_new_requests(
    client: Client, clinic_a: Clinic, clinic_b: Clinic, alice: User
) -> None:
    make_request(clinic_a)
    make_request(clinic_a)
    make_request(clinic_a, status=ConsultationRequest.Status.ACCEPTED)
    make_request(clinic_b)
    body = login(client, alice).get(reverse("caseload")).content.decode()
    assert 'Inbox <span class="nav-count">2<span class="visually-hidden"> new</span>' in body


def test_someone_who_cannot_triage_has_no_inbox(client: Client, clinic_a: Clinic) -> None:
    supervisor = make_clinician(clinic_a, "Sam Sup", is_therapist=False, is_supervisor=True)
    request = make_request(clinic_a)
    login(client, supervisor)
    assert 'href="/inbox/"' not in client.get(reverse("caseload")).content.decode()
    assert client.get(reverse("inbox")).status_code == 404
    assert client.get(reverse("inbox_request", args=[request.id])).status_code == 404


def test_the_inbox_query_count_does_not_grow_with_the_requests(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(40):
        make_request(clinic_a, name=f"Person {n}")
    login(client, alice)
    # Session, user, nav count, priority-alert banner count, status counts, page count, page
    # rows (+ margin for savepoints).
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(16):
        r = client.get(reverse("inbox"))
    assert r.status_code == 200
    assert r.content.decode().count('class="request-row"') == 40


def test_the_request_page_shows_everything_they_sent(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    request = make_request(
        clinic_a,
        name="Robin",
        contact_value="robin@example.test",
        safe_times="Evenings",
        concerns=["attachment_neglect"],
        concerns_text="He was not there.",
        feels_safe="no",
    )
    r = login(client, alice).get(reverse("inbox_request", args=[request.id]))
    assert r.status_code == 200
    body = r.content.decode()
    for text in ("Robin", "robin@example.test", "Evenings", "He was not there.", "Do not leave"):
        assert text in body
    assert "They did not say they feel safe at home" in body


@pytest.mark.parametrize("name", DETAIL_URLS)
def test_a_clinician_of_another_clinic_gets_a_404_everywhere(
    client: Client, clinic_a: Clinic, charlie: User, name: str
) -> None:
    request = make_request(clinic_a, name="Robin")
    login(client, charlie)
    for method in ("get", "post"):
        r = getattr(client, method)(reverse(name, args=[request.id]), {"referral": "x"})
        assert r.status_code in (404, 405)
        assert "Robin" not in r.content.decode()
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW


@pytest.mark.parametrize("name", DETAIL_URLS)
def test_a_missing_request_is_a_404(client: Client, alice: User, name: str) -> None:
    method = "get" if name == "inbox_request" else "post"
    r = getattr(login(client, alice), method)(reverse(name, args=[uuid.uuid4()]), {"referral": "x"})
    assert r.status_code == 404


def test_accepting_from_the_request_page(client: Client, clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    r = login(client, alice).post(reverse("inbox_request_accept", args=[request.id]))
    assert r.status_code == 302
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.ACCEPTED
    assert AuditEntry.objects.filter(action="intake.request.accept").count() == 1


def test_triage_needs_a_post(client: Client, clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    login(client, alice)
    for name in ("inbox_request_accept", "inbox_request_decline", "inbox_request_spam"):
        assert client.get(reverse(name, args=[request.id])).status_code == 405
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW


def test_declining_without_a_referral_shows_the_error_and_changes_nothing(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    request = make_request(clinic_a)
    r = login(client, alice).post(
        reverse("inbox_request_decline", args=[request.id]), {"referral": "   "}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Write where you referred the person" in body
    assert 'aria-invalid="true"' in body
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW


def test_declining_with_a_referral(client: Client, clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    r = login(client, alice).post(
        reverse("inbox_request_decline", args=[request.id]), {"referral": "Relate, local branch"}
    )
    assert r.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.referral) == ("declined", "Relate, local branch")


def test_acting_on_a_closed_request_is_a_conflict(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    request = make_request(clinic_a, status=ConsultationRequest.Status.SPAM)
    login(client, alice)
    r = client.post(reverse("inbox_request_accept", args=[request.id]))
    assert r.status_code == 409
    assert "already been dealt with" in r.content.decode()
    assert client.get(reverse("inbox_request_convert", args=[request.id])).status_code == 409


def test_the_convert_form_is_prefilled(client: Client, clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a, name="Robin")
    body = login(client, alice).get(reverse("inbox_request_convert", args=[request.id]))
    text = body.content.decode()
    assert 'name="partner_a_name" id="id_partner_a_name" value="Robin"' in text
    assert f'<option value="{alice.id}" selected>' in text


def test_converting_lands_on_the_case_page(client: Client, clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a, name="Robin")
    r = login(client, alice).post(
        reverse("inbox_request_convert", args=[request.id]),
        {
            "label": "Robin & Kit",
            "partner_a_name": "Robin",
            "partner_b_name": "Kit",
            "primary_clinician": str(alice.id),
        },
    )
    couple = Couple.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("case", args=[couple.id])
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONVERTED


def test_a_clinic_admin_converting_for_a_colleague_returns_to_the_request(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    request = make_request(clinic_a)
    r = login(client, admin).post(
        reverse("inbox_request_convert", args=[request.id]),
        {
            "label": "Case",
            "partner_a_name": "A",
            "partner_b_name": "B",
            "primary_clinician": str(alice.id),
        },
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("inbox_request", args=[request.id])
    assert Couple.objects.get().primary_clinician == alice


def test_the_primary_clinician_must_be_a_therapist_of_the_clinic(
    client: Client, clinic_a: Clinic, alice: User, charlie: User
) -> None:
    request = make_request(clinic_a)
    r = login(client, alice).post(
        reverse("inbox_request_convert", args=[request.id]),
        {
            "label": "Case",
            "partner_a_name": "A",
            "partner_b_name": "B",
            "primary_clinician": str(charlie.id),
        },
    )
    assert r.status_code == 400
    assert "Choose one of the clinic" in r.content.decode()
    assert Couple.objects.count() == 0
