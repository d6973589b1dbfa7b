"""The case page and each of its forms: the response, then the database, then the audit entry.

Every form posts to an action; without JavaScript it redirects back to the case page, with htmx
it answers with the section that changed. Audit entries name fields, never their values.
"""

from __future__ import annotations

import pytest
from django.test import Client

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples import actions
from rebond.couples.models import (
    CaseTransition,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.couples.tests.helpers import (
    HTMX,
    assert_no_values_in_audit,
    case_url,
    case_with_everything,
    documents,
    injury_draft,
    last_audit,
    login,
    partners_of,
)
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))


def test_the_case_page_shows_details_partners_injuries_and_history(
    client: Client, alice: User
) -> None:
    couple = case_with_everything(alice)
    r = login(client, alice).get(case_url("case", couple))
    assert r.status_code == 200
    body = r.content.decode()
    for text in (
        "Case details",
        "No secrets",
        "Lifecycle",
        "Sam Rivera",
        "Alex Chen",
        "Private to Sam Rivera",
        "sam.canary@example.test",
        "Safe to contact",
        "Granted",
        "Infidelity: Emotional affair",
        "Hurt partner",
        "Hurtful partner",
        "Safety concerns",
        "Intimate partner violence",
        "Clinicians only",
    ):
        assert text in body, text


def test_a_privately_disclosed_injury_shows_whose_secret_it_is(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, alex = partners_of(couple)
    actions.record_injury(
        alice,
        couple.id,
        injury_draft(
            sam,
            alex,
            reported_by_id=alex.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
        ),
    )
    body = login(client, alice).get(case_url("case", couple)).content.decode()
    assert "Private to Alex Chen" in body


def test_it_saves_the_case_details_and_audits_the_field_names(
    client: Client, alice: User, couple: Couple
) -> None:
    r = login(client, alice).post(
        case_url("case_details", couple),
        {
            "case-label": "Rivera & Chen (2)",
            "case-relationship_agreement": Couple.Agreement.NON_MONOGAMOUS,
            "case-relationship_agreement_notes": "Canary agreement note",
            "case-secrets_policy": "limited_secrets",
            "case-modality": Couple.Modality.MIXED,
        },
    )
    assert r.status_code == 302
    assert r["Location"].endswith("#details")
    couple.refresh_from_db()
    assert couple.label == "Rivera & Chen (2)"
    assert couple.relationship_agreement == Couple.Agreement.NON_MONOGAMOUS
    assert couple.secrets_policy == "limited_secrets"
    assert couple.modality == Couple.Modality.MIXED
    entry = last_audit("couples.case.update")
    assert entry.fields == sorted(
        [
            "label",
            "relationship_agreement",
            "relationship_agreement_notes",
            "secrets_policy",
            "modality",
        ]
    )
    assert_no_values_in_audit("Canary agreement note", "Rivera & Chen (2)")


def test_with_htmx_it_answers_with_the_changed_section_and_the_header(
    client: Client, alice: User, couple: Couple
) -> None:
    r = login(client, alice).post(
        case_url("case_details", couple),
        {
            "case-label": "Renamed",
            "case-relationship_agreement": "",
            "case-secrets_policy": "no_secrets",
            "case-modality": "conjoint",
        },
        headers=HTMX,
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert body.lstrip().startswith('<section id="details"')
    assert "Case details saved." in body
    assert 'id="case-head" class="case-head" hx-swap-oob="true"' in body
    assert "<html" not in body


def test_it_updates_a_partner(client: Client, alice: User, couple: Couple) -> None:
    sam, _ = partners_of(couple)
    r = login(client, alice).post(
        case_url("partner_update", couple, sam.id),
        {
            "partner-A-display_name": "Samira Rivera",
            "partner-A-pronouns": "she/her",
            "partner-A-language": "es",
        },
    )
    assert r.status_code == 302
    assert r["Location"].endswith("#partner-A")
    sam.refresh_from_db()
    assert (sam.display_name, sam.pronouns, sam.language) == ("Samira Rivera", "she/her", "es")
    assert last_audit("couples.partner.update").fields == ["display_name", "language", "pronouns"]
    assert_no_values_in_audit("Samira", "she/her")


def test_it_adds_and_removes_a_contact_channel(client: Client, alice: User, couple: Couple) -> None:
    sam, _ = partners_of(couple)
    login(client, alice)
    r = client.post(
        case_url("channel_add", couple, sam.id),
        {
            "partner-A-channel-kind": "text",
            "partner-A-channel-value": "07700 900 999",
            "partner-A-channel-safe_to_contact": "yes",
            "partner-A-channel-safe_hours": "Weekdays 9 to 12",
            "partner-A-channel-may_leave_message": "no",
        },
        headers=HTMX,
    )
    assert r.status_code == 200
    assert "07700 900 999" in r.content.decode()
    channel = ContactChannel.objects.get(partner=sam)
    assert channel.safe_to_contact is True
    assert channel.may_leave_message is False
    assert channel.safe_hours == "Weekdays 9 to 12"
    assert last_audit("couples.channel.add").object_id == str(channel.id)

    r = client.post(case_url("channel_remove", couple, channel.id))
    assert r.status_code == 302
    assert not ContactChannel.objects.filter(partner=sam).exists()
    assert last_audit("couples.channel.remove").object_id == str(channel.id)
    assert_no_values_in_audit("07700 900 999", "Weekdays 9 to 12")


def test_it_records_the_intake_goal_on_the_partners_word(
    client: Client, alice: User, couple: Couple
) -> None:
    _, alex = partners_of(couple)
    r = login(client, alice).post(
        case_url("partner_goal", couple, alex.id), {"partner-B-goal-intake_goal": "clarify"}
    )
    assert r.status_code == 302
    alex.refresh_from_db()
    assert alex.intake_goal == Partner.Goal.CLARIFY
    entry = last_audit("couples.partner.goal")
    assert entry.fields == ["intake_goal"]
    assert_no_values_in_audit("clarify")


def test_it_records_the_individual_screen(client: Client, alice: User, couple: Couple) -> None:
    sam, _ = partners_of(couple)
    r = login(client, alice).post(case_url("partner_screen", couple, sam.id), headers=HTMX)
    assert r.status_code == 200
    assert "Done" in r.content.decode()
    sam.refresh_from_db()
    assert sam.individual_screen_done_at is not None
    assert last_audit("couples.partner.screen_done").fields == ["individual_screen_done_at"]


def test_it_records_and_withdraws_a_consent(client: Client, alice: User, couple: Couple) -> None:
    sam, _ = partners_of(couple)
    document = documents()["treatment"]
    login(client, alice)
    r = client.post(case_url("consent_record", couple, sam.id), {"document": str(document.id)})
    assert r.status_code == 302
    record = ConsentRecord.objects.get(partner=sam)
    assert record.document_sha256 == document.sha256
    assert record.captured_by == ConsentRecord.CapturedBy.CLINICIAN
    assert record.recorded_by == alice
    assert last_audit("couples.consent.grant").object_id == str(record.id)
    body = client.get(case_url("case", couple)).content.decode()
    assert "Granted" in body
    assert "The clinician, on the partner&#x27;s word (Alice Therapist)" in body

    r = client.post(case_url("consent_withdraw", couple, record.id), headers=HTMX)
    assert r.status_code == 200
    assert "Withdrawn" in r.content.decode()
    record.refresh_from_db()
    assert record.withdrawn_at is not None
    assert last_audit("couples.consent.withdraw").fields == ["withdrawn_at"]


def test_it_records_an_injury_and_a_threat_to_safety_opens_a_concern(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, alex = partners_of(couple)
    r = login(client, alice).post(
        case_url("injury_record", couple),
        {
            "injury-category": "safety_threat",
            "injury-subtype": "coercive_control",
            "injury-hurt_partner": str(sam.id),
            "injury-hurtful_partner": str(alex.id),
            "injury-reported_by": str(sam.id),
            "injury-disclosure_state": "disclosed_privately",
            "injury-discovered_how": "disclosed",
            "injury-discovery_date": "2025-03-01",
            "injury-onset_period": "Canary onset",
            "injury-ongoing": "on",
            "injury-contact_with_third_party_ongoing": "",
            "injury-severity_by_hurt_partner": "9",
            "injury-is_attachment_injury": "no",
        },
        headers=HTMX,
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "Injury recorded." in body
    assert "Private to Sam Rivera" in body
    assert 'id="safety-concerns"' in body  # the safety panel, swapped out of band
    injury = Injury.objects.get(couple=couple)
    assert injury.subtype == Injury.Subtype.COERCIVE_CONTROL
    assert injury.severity_by_hurt_partner == 9
    assert injury.is_attachment_injury is False
    assert injury.contact_with_third_party_ongoing is None
    assert injury.ongoing is True
    concern = SafetyConcern.objects.get(couple=couple)
    assert concern.injury == injury
    assert concern.subject_partner == sam
    assert last_audit("couples.injury.record").object_id == str(injury.id)
    assert last_audit("couples.safety_concern.open").object_id == str(concern.id)
    assert_no_values_in_audit("Canary onset", "coercive_control")


def test_it_updates_an_injurys_formulation(client: Client, alice: User, couple: Couple) -> None:
    sam, alex = partners_of(couple)
    injury = actions.record_injury(alice, couple.id, injury_draft(sam, alex))
    prefix = f"injury-{injury.id}"
    r = login(client, alice).post(
        case_url("injury_update", couple, injury.id),
        {
            f"{prefix}-is_attachment_injury": "yes",
            f"{prefix}-complex": "on",
            f"{prefix}-disclosure_state": "disclosure_planned",
        },
    )
    assert r.status_code == 302
    injury.refresh_from_db()
    assert injury.is_attachment_injury is True
    assert injury.complex is True
    assert injury.disclosure_state == Injury.Disclosure.FACILITATED_DISCLOSURE_PLANNED
    assert last_audit("couples.injury.update").fields == [
        "complex",
        "disclosure_state",
        "is_attachment_injury",
    ]


def test_the_subtype_list_follows_the_category(client: Client, alice: User, couple: Couple) -> None:
    login(client, alice)
    r = client.get(case_url("injury_subtypes", couple) + "?injury-category=attachment_neglect")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Absent at a bereavement" in body
    assert "Sexual affair" not in body
    assert "<optgroup" not in body
    every = client.get(case_url("injury_subtypes", couple) + "?injury-category=nonsense")
    assert every.content.decode().count("<optgroup") == len(Injury.Category.values)


def test_it_moves_the_case_and_keeps_the_history(
    client: Client, alice: User, couple: Couple
) -> None:
    r = login(client, alice).post(
        case_url("case_transition", couple), {"move-to_status": "intake_scheduled"}
    )
    assert r.status_code == 302
    couple.refresh_from_db()
    assert couple.status == Couple.Status.INTAKE_SCHEDULED
    step = CaseTransition.objects.get(couple=couple)
    assert (step.from_status, step.to_status, step.by) == ("referred", "intake_scheduled", alice)
    assert last_audit("couples.case.transition").fields == ["status"]
    body = client.get(case_url("case", couple)).content.decode()
    assert 'Referred <span aria-hidden="true">→</span>' in body


def test_the_case_page_query_count_does_not_grow_with_injuries_and_consents(
    client: Client, alice: User, django_assert_max_num_queries: object
) -> None:
    couple = case_with_everything(alice)
    sam, alex = partners_of(couple)
    for document in documents().values():
        actions.record_consent(alice, sam.id, document.id)
        actions.record_consent(alice, alex.id, document.id)
    for n in range(25):
        actions.record_injury(
            alice, couple.id, injury_draft(sam, alex, reported_by_id=sam.id, onset_period=str(n))
        )
        actions.add_contact_channel(
            alice, alex.id, actions.ChannelDraft("phone", f"0770090{n:04}", n % 2 == 0)
        )
    actions.transition_case(alice, couple.id, "intake_scheduled")
    actions.transition_case(alice, couple.id, "assessment")
    actions.transition_case(alice, couple.id, "conjoint_active", override=True, reason="Test")
    login(client, alice)
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01), + 5 for the case team
    # section (its people, its co-therapists, the viewer's access, who may join, its history),
    # + 1 for the appointment messages not delivered, + 6 for the appointments section
    # (upcoming, recent, the clinic's session types, and the clinicians and partners its form
    # offers: rebond/appointments/case_views.py), + 4 for the reading section (the pages given
    # on the case, the partners' names, whether a page is published, the pages its form
    # offers: rebond/shelf/views.py), + 3 for the diary section (its entries' ratings, the
    # partners, the plan: rebond/diary/clinician.py case_summary).
    with django_assert_max_num_queries(39):  # type: ignore[operator]
        r = client.get(case_url("case", couple))
    assert r.status_code == 200
    assert r.content.decode().count('class="injury"') == 27


def test_an_audit_entry_is_written_for_every_change_and_only_then(
    client: Client, alice: User, couple: Couple
) -> None:
    before = AuditEntry.objects.count()
    login(client, alice).post(case_url("case_details", couple), {"case-label": ""})
    assert AuditEntry.objects.count() == before


def test_the_case_page_lists_open_alerts_with_severity_and_a_link(
    client: Client, alice: User, bob: User
) -> None:
    # Issue 15 C14: never "No open safety concerns" while a HIGH alert is open.
    from rebond.alerts import actions as alert_actions
    from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, raise_alert

    couple = make_couple(alice, "Alerted couple", partners=("Ana", "Ben"))
    alert = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)  # PHQ-9 item 9: HIGH
    login(client, alice)
    body = client.get(case_url("case", couple)).content.decode()
    safety = body.split('id="safety-concerns"', 1)[1].split("</section>", 1)[0]
    assert "No open safety concerns" not in safety
    assert f'href="/alerts/{alert.id}/"' in safety
    assert "<span>High</span>" in safety
    assert "Suicide risk screen positive" in safety
    assert "About Ana" in safety
    # A clinician added to the case later was not sent it: told it exists, without a link.
    couple.co_clinicians.add(bob)
    login(client, bob)
    other = client.get(case_url("case", couple)).content.decode()
    other = other.split('id="safety-concerns"', 1)[1].split("</section>", 1)[0]
    assert "No open safety concerns" not in other
    assert f"/alerts/{alert.id}/" not in other
    assert "1 open alert on this case was sent to other clinicians" in other
    # Once closed, the case is quiet again.
    alert_actions.close_alert(alice, alert.id, disposition="false_positive", reason="Checked.")
    login(client, alice)
    quiet = client.get(case_url("case", couple)).content.decode()
    assert "No open safety concerns" in quiet
