"""A clinic admin changes the clinic's settings; the public request page and e-mails follow."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import valid_post
from rebond.test import change_entries, make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

URL = "/settings/clinic/"
INTRO = "We are a small practice in Glebe.\n\nWe answer every request within two working days."


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True)


def form_of(clinic: Clinic, **changes: str) -> dict[str, str]:
    """Return the page's form as the browser would send it unchanged, then `changes`."""
    data = {
        "name": clinic.name,
        "public_requests": "open" if clinic.public_requests_open else "closed",
        "request_intro": clinic.request_intro,
        "timezone": clinic.timezone,
        "default_language": clinic.default_language,
        "reply_to_email": clinic.reply_to_email,
    }
    data.update(changes)
    return data


def title_of(body: str) -> str:
    match = re.search(r"<title>(.*?)</title>", body, re.S)
    assert match is not None
    return match.group(1)


def test_the_route_is_the_clinic_settings_page() -> None:
    assert reverse("clinic_settings") == URL


def test_an_admin_sees_the_settings_a_zone_list_and_the_public_address(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert title_of(body).startswith("Clinic settings")
    assert f'value="{clinic_a.name}"' in body
    # A searchable list of every zone the server knows, tied to the time zone field.
    assert 'list="time-zone-names"' in body
    assert '<datalist id="time-zone-names">' in body
    for zone in ("Australia/Sydney", "America/Los_Angeles", "Europe/London"):
        assert f'<option value="{zone}">' in body
    assert f"/c/{clinic_a.slug}/request/" in body
    # Linked from the navigation, marked as the current page.
    assert 'href="/settings/clinic/" aria-current="page">Clinic settings</a>' in body


def test_saving_changes_every_field_and_audits_values_before_and_after(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    # The admin reads English whatever the clinic's default becomes (their own choice).
    admin.language = "en"
    admin.save(update_fields=["language"])
    sign_in(client, admin)
    response = client.post(
        URL,
        form_of(
            clinic_a,
            name="Harbour Couples Practice",
            public_requests="closed",
            request_intro=INTRO.replace("\n", "\r\n"),
            timezone="Australia/Sydney",
            default_language="es",
            reply_to_email="reception@harbour.example",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    clinic_a.refresh_from_db()
    assert clinic_a.name == "Harbour Couples Practice"
    assert clinic_a.public_requests_open is False
    assert clinic_a.request_intro == INTRO  # line breaks stored as LF
    assert clinic_a.timezone == "Australia/Sydney"
    assert clinic_a.default_language == "es"
    assert clinic_a.reply_to_email == "reception@harbour.example"
    entry = AuditEntry.objects.get(action="accounts.clinic.settings")
    assert entry.actor == admin
    assert entry.clinic_id == clinic_a.id
    assert entry.object_id == str(clinic_a.id)
    assert set(entry.fields) == {
        "name",
        "public_requests_open",
        "request_intro",
        "timezone",
        "default_language",
        "reply_to_email",
    }
    assert "name: Clinic A → Harbour Couples Practice" in entry.reason
    assert "public request page: on → off" in entry.reason
    assert "time zone: UTC → Australia/Sydney" in entry.reason
    assert "default language: en → es" in entry.reason
    assert "address for e-mails: (none) → reception@harbour.example" in entry.reason
    # The introduction's words are not copied into the audit trail, only that it changed.
    assert "introduction changed" in entry.reason
    assert "Glebe" not in entry.reason
    page = client.get(URL).content.decode()
    assert "Clinic settings saved" in page
    # The page now speaks the new zone's clock.
    assert "(Australia/Sydney)" in page


def test_saving_without_a_change_writes_nothing(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    before = change_entries()
    response = client.post(URL, form_of(clinic_a), follow=True)
    assert response.status_code == 200
    assert "Nothing had changed" in response.content.decode()
    assert change_entries() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Australia/Sidney", "Did you mean Australia/Sydney?"),
        ("timezone", "australia/sydney", "Did you mean Australia/Sydney?"),
        ("timezone", "Atlantis/Poseidonia", "Choose a time zone from the list"),
        ("timezone", "", "This field is required."),
        ("reply_to_email", "reception at harbour", "Enter an e-mail address such as"),
        ("reply_to_email", "a@b.example\r\nBcc: x@evil.example", "Enter an e-mail address"),
        ("default_language", "xx", "Select a valid choice."),
        ("name", "", "This field is required."),
        ("name", "Clinic\u202eA", "Remove the invisible text-direction characters"),
        ("request_intro", "x" * 1501, "at most 1500 characters"),
    ],
)
def test_a_refused_value_says_what_to_fix_and_keeps_what_was_typed(
    client: Client, admin: User, clinic_a: Clinic, field: str, value: str, message: str
) -> None:
    sign_in(client, admin)
    before = change_entries()
    typed = form_of(clinic_a, name="Harbour Couples Practice", request_intro=INTRO)
    typed[field] = value
    response = client.post(URL, typed)
    assert response.status_code == 422
    body = response.content.decode()
    assert title_of(body).startswith("Error: ")
    assert 'class="error-summary"' in body
    assert message in body
    assert 'aria-invalid="true"' in body
    # Nothing is lost: the other fields come back as typed.
    if field != "request_intro":
        assert "We answer every request within two working days." in body
    if field != "name":
        assert 'value="Harbour Couples Practice"' in body
    clinic_a.refresh_from_db()
    assert clinic_a.name == "Clinic A"
    assert clinic_a.timezone == "UTC"
    assert change_entries() == before


def test_a_colleague_is_refused_and_names_the_admin(
    client: Client, alice: User, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, alice)
    assert "Clinic settings" not in client.get(reverse("caseload")).content.decode()
    response = client.post(URL, form_of(clinic_a, timezone="Australia/Sydney"))
    assert response.status_code == 403
    assert "Ada Admin" in response.content.decode()
    clinic_a.refresh_from_db()
    assert clinic_a.timezone == "UTC"


def test_an_admin_changes_only_their_own_clinic(
    client: Client, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    other_admin = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    sign_in(client, other_admin)
    response = client.post(URL, form_of(clinic_b, timezone="America/Los_Angeles"))
    assert response.status_code == 302
    clinic_a.refresh_from_db()
    clinic_b.refresh_from_db()
    assert (clinic_a.timezone, clinic_b.timezone) == ("UTC", "America/Los_Angeles")


# --- The public request page follows --------------------------------------------------------


def public_url(clinic: Clinic) -> str:
    return reverse("consultation_request", args=[clinic.slug])


def test_the_public_page_shows_the_clinics_introduction(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    client.post(URL, form_of(clinic_a, request_intro=INTRO))
    client.logout()
    body = client.get(public_url(clinic_a)).content.decode()
    assert "<p>We are a small practice in Glebe.</p>" in body
    assert "<p>We answer every request within two working days.</p>" in body
    # The form's own promises stay, after the clinic's words.
    assert body.index("Glebe") < body.index("We will only contact you in the way you choose")


def test_a_closed_page_says_so_and_nothing_else(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    CrisisResource.objects.create(clinic=clinic_a, name="Lifeline Harbour", phone="13 11 14")
    sign_in(client, admin)
    client.post(URL, form_of(clinic_a, public_requests="closed", request_intro=INTRO))
    client.logout()
    response = client.get(public_url(clinic_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clinic A does not take consultation requests online." in body
    for hidden in ("<form", "Glebe", "Lifeline Harbour", "Request a consultation"):
        assert hidden not in body
    assert "data-quick-exit" in body
    # A request sent anyway (a tab left open) is refused and not stored.
    response = client.post(public_url(clinic_a), valid_post())
    assert response.status_code == 403
    assert not ConsultationRequest.objects.exists()
    assert mail.outbox == []
    # Opened again: the form is back.
    sign_in(client, admin)
    client.post(URL, form_of(clinic_a, public_requests="open"))
    client.logout()
    assert "<form" in client.get(public_url(clinic_a)).content.decode()


# --- E-mails about the clinic reply to its address ------------------------------------------


def test_e_mails_about_the_clinic_reply_to_its_address(
    client: Client,
    admin: User,
    alice: User,
    clinic_a: Clinic,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sign_in(client, admin)
    client.post(URL, form_of(clinic_a, reply_to_email="reception@harbour.example"))
    client.logout()
    # A consultation request: the clinic's clinicians are told.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(public_url(clinic_a), valid_post())
    assert mail.outbox
    assert {tuple(m.reply_to) for m in mail.outbox} == {("reception@harbour.example",)}
    # A partner's private link: the same.
    mail.outbox.clear()
    partner = make_couple(alice).partners.get(role="A")
    ContactChannel.objects.create(
        partner=partner, kind="email", value="sam@example.test", safe_to_contact=True
    )
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invite_partner", kwargs={"partner_id": partner.id}))
    assert [m.reply_to for m in mail.outbox] == [["reception@harbour.example"]]
    assert "reception@harbour.example" not in mail.outbox[0].body


def test_without_an_address_e_mails_have_no_reply_to(
    client: Client, alice: User, clinic_a: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(public_url(clinic_a), valid_post())
    assert mail.outbox
    assert all(m.reply_to == [] for m in mail.outbox)
    assert "Reply-To" not in mail.outbox[0].message()
