"""The case team's pages (issue 16 item 5): the section on the case page, the team page a
clinic admin off the case uses, the clinic's list of teams; and access that follows a change
at the very next request, to the case, its check-ins, its alerts and its notes.

Personas: Alice is the primary clinician of the Rivera & Chen case; Bob a therapist of
Clinic A; Ada its clinic admin (no clinical role, on no case); Charlie works at Clinic B.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, raise_alert
from rebond.couples import team
from rebond.couples.models import Couple, TeamChange
from rebond.couples.tests.helpers import HTMX, case_url, case_with_everything, login
from rebond.test import ensure_totp_device, make_clinician
from rebond.therapy import actions as therapy_actions

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Sam asked for evening sessions; the safety plan was reviewed on Monday."
# What a clinic admin off the case must never be shown: the label, the partners, the note.
CLINICAL = ("Rivera", "Chen", "Sam", "Alex", "evening")


@pytest.fixture
def couple(alice: User, bob: User) -> Couple:
    ensure_totp_device(alice)
    ensure_totp_device(bob)
    return case_with_everything(alice)


@pytest.fixture
def ada(clinic_a: Clinic) -> User:
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    ensure_totp_device(admin)
    return admin


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def section(html: str) -> str:
    start = html.index('<section id="team"')
    return html[start : html.index("</section>", start)]


# --- What each person sees ----------------------------------------------------------------


def test_the_primary_sees_the_case_team_section_with_its_forms(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    team_section = section(page(login(client, alice), case_url("case", couple)))
    assert "Case team" in team_section
    assert "Alice Therapist" in team_section
    for form in ("Add a co-therapist", "Assign a supervisor", "Hand the case over"):
        assert form in team_section
    assert f'<option value="{bob.pk}">Bob Colleague</option>' in team_section


def test_a_co_therapist_sees_the_team_but_not_its_forms(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    team.add_co_therapist(alice, couple.id, bob.id)
    team_section = section(page(login(client, bob), case_url("case", couple)))
    assert "Bob Colleague" in team_section
    assert "Add a co-therapist" not in team_section
    assert "<form" not in team_section
    assert "Only Alice Therapist (the primary clinician) or a clinic admin can change" in (
        team_section
    )


def test_a_clinic_admin_off_the_case_sees_its_reference_and_team_only(
    client: Client, alice: User, bob: User, ada: User, couple: Couple
) -> None:
    team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=True)
    login(client, ada)
    page(client, case_url("case", couple), status=404)  # the case itself stays closed
    team_page = page(client, case_url("case_team", couple))
    assert f"Team of case {couple.reference}" in team_page
    assert "Bob Colleague" in team_page
    assert "Alice Therapist" in team_page
    assert "Case handed over" in team_page
    assert "Handover note:" not in team_page
    for private in CLINICAL:
        assert private not in team_page
    teams = page(client, reverse("case_teams"))
    assert couple.reference in teams
    assert case_url("case_team", couple) in teams
    for private in CLINICAL:
        assert private not in teams


def test_the_handover_note_is_shown_to_the_clinicians_on_the_case(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=True)
    team_section = section(page(login(client, bob), case_url("case", couple)))
    assert "Handover note: " + NOTE.replace("'", "&#x27;") in team_section


def test_the_clinics_list_of_teams_is_for_its_clinic_admins(
    client: Client, alice: User, bob: User, charlie: User, ada: User, couple: Couple
) -> None:
    refused = login(client, alice).get(reverse("case_teams"))
    assert refused.status_code == 403
    assert "Only clinic admins can change these settings" in refused.content.decode()
    login(client, charlie)
    assert "Case teams" not in page(client, reverse("case_teams"), status=403)
    # The filter keeps the cases a clinician is on.
    login(client, ada)
    assert couple.reference in page(client, reverse("case_teams") + f"?clinician={alice.pk}")
    filtered = page(client, reverse("case_teams") + f"?clinician={bob.pk}")
    assert couple.reference not in filtered
    assert "Bob Colleague is on no active case" in filtered


def test_other_clinicians_and_other_clinics_get_a_404_for_the_team(
    client: Client, bob: User, charlie: User, clinic_b: Clinic, couple: Couple
) -> None:
    admin_b = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    for outsider in (bob, charlie, admin_b):
        login(client, outsider)
        page(client, case_url("case_team", couple), status=404)
        response = client.post(
            case_url("case_team_add_co_therapist", couple), {"co-clinician": str(outsider.pk)}
        )
        assert response.status_code == 404
    assert not TeamChange.objects.exists()


# --- Changing the team through the pages ----------------------------------------------------


def test_adding_a_co_therapist_from_the_case_page_redirects_back_to_it(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    response = login(client, alice).post(
        case_url("case_team_add_co_therapist", couple),
        {"co-clinician": str(bob.pk), "co-place": "case"},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url("case", couple) + "#team"
    followed = page(client, response["Location"])
    assert "Bob Colleague is now a co-therapist on this case" in followed
    assert bob in couple.co_clinicians.all()


def test_with_htmx_the_team_section_answers_and_errors_are_422(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    login(client, alice)
    url = case_url("case_team_add_co_therapist", couple)
    refused = client.post(url, {"co-clinician": "", "co-place": "case"}, headers=HTMX)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert body.lstrip().startswith('<section id="team"')
    assert "Choose the therapist to add." in body
    assert 'class="error-summary"' in body
    done = client.post(url, {"co-clinician": str(bob.pk), "co-place": "case"}, headers=HTMX)
    assert done.status_code == 200
    assert "Bob Colleague is now a co-therapist on this case" in done.content.decode()


def test_a_failed_change_on_the_team_page_keeps_what_was_typed_and_says_error(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    response = login(client, alice).post(
        case_url("case_team_handover", couple),
        {"handover-new_primary": str(bob.pk), "handover-note": "", "handover-previous_stays": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: Case team" in html
    assert "Write a handover note: what the new primary clinician needs" in html
    assert "Choose whether you stay on the team." in html
    assert f'<option value="{bob.pk}" selected>Bob Colleague</option>' in html
    assert Couple.objects.get(pk=couple.pk).primary_clinician == alice


def test_a_forged_post_with_another_clinics_clinician_is_refused(
    client: Client, alice: User, charlie: User, couple: Couple
) -> None:
    ensure_totp_device(charlie)
    login(client, alice)
    for route, field in (
        ("case_team_add_co_therapist", "co-clinician"),
        ("case_team_supervisor", "supervisor-supervisor"),
    ):
        response = client.post(case_url(route, couple), {field: str(charlie.pk)})
        assert response.status_code == 422
        assert "Choose a clinician of this clinic." in response.content.decode()
    response = client.post(
        case_url("case_team_handover", couple),
        {
            "handover-new_primary": str(charlie.pk),
            "handover-note": NOTE,
            "handover-previous_stays": "leave",
        },
    )
    assert response.status_code == 422
    assert "Charlie" not in response.content.decode()
    couple.refresh_from_db()
    assert couple.primary_clinician == alice
    assert not couple.co_clinicians.exists()
    assert not TeamChange.objects.exists()


def test_a_co_therapist_posting_a_change_is_told_who_can(
    client: Client, alice: User, bob: User, clinic_a: Clinic, couple: Couple
) -> None:
    dina = make_clinician(clinic_a, "Dina Therapist")
    ensure_totp_device(dina)
    team.add_co_therapist(alice, couple.id, bob.id)
    response = login(client, bob).post(
        case_url("case_team_add_co_therapist", couple), {"co-clinician": str(dina.pk)}
    )
    assert response.status_code == 403
    assert "Ask Alice Therapist, the case's primary clinician" in response.content.decode()
    assert set(couple.co_clinicians.all()) == {bob}


def test_handing_over_and_leaving_sends_the_old_primary_to_their_caseload(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    login(client, alice)
    response = client.post(
        case_url("case_team_handover", couple),
        {
            "handover-new_primary": str(bob.pk),
            "handover-note": NOTE,
            "handover-previous_stays": "leave",
            "handover-place": "case",
        },
        headers=HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("caseload")
    caseload = page(client, reverse("caseload"))
    assert f"Case {couple.reference} is now Bob Colleague&#x27;s" in caseload
    page(client, case_url("case", couple), status=404)


def test_an_admin_off_the_case_changes_its_team_from_the_team_page(
    client: Client, alice: User, bob: User, ada: User, couple: Couple
) -> None:
    login(client, ada)
    team_page = page(client, case_url("case_team", couple))
    assert "Add a co-therapist" in team_page
    response = client.post(
        case_url("case_team_handover", couple),
        {
            "handover-new_primary": str(bob.pk),
            "handover-note": NOTE,
            "handover-previous_stays": "stay",
            "handover-place": "team",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == case_url("case_team", couple)
    after = page(client, response["Location"])
    assert "Alice Therapist stays on as a co-therapist" in after
    for private in CLINICAL:
        assert private not in after


# --- Access follows at once -----------------------------------------------------------------


def case_urls(couple: Couple, alert_id: object) -> list[str]:
    """The case, its check-ins, an alert on it and its notes."""
    return [
        case_url("case", couple),
        case_url("case_checkins", couple),
        reverse("alert", args=[alert_id]),
        case_url("therapy_notes", couple),
    ]


def test_an_added_co_therapist_reaches_the_case_at_once_and_a_removed_one_no_longer(
    client: Client, alice: User, bob: User, couple: Couple
) -> None:
    therapy_actions.write_note(alice, couple.id, kind="process", body="A process note.")
    before = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    login(client, bob)  # Bob's session is open all along
    for url in case_urls(couple, before.id):
        page(client, url, status=404)

    team.add_co_therapist(alice, couple.id, bob.id)
    after = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    for url in case_urls(couple, after.id):
        page(client, url)
    assert "A process note." in page(client, case_url("therapy_notes", couple))
    # An alert raised before Bob joined went to the clinicians on the case then: the case page
    # tells him it exists, without a link (issue 15 C14).
    page(client, reverse("alert", args=[before.id]), status=404)
    assert "1 open alert on this case was sent to other clinicians" in page(
        client, case_url("case", couple)
    )

    team.remove_co_therapist(alice, couple.id, bob.id)
    for url in case_urls(couple, after.id):
        page(client, url, status=404)
    assert str(after.id) not in page(client, reverse("alerts"))
