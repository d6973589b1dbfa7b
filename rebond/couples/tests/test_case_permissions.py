"""Bob (same clinic, not on the case) and Charlie (another clinic) get a 404 from every case
URL, GET or POST, and nothing changes: the same answer as for a case that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from rebond.accounts.models import User
from rebond.couples.models import (
    CaseTransition,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
)
from rebond.couples.tests.helpers import (
    case_url,
    case_with_everything,
    documents,
    login,
    partners_of,
)
from rebond.test import change_entries

pytestmark = pytest.mark.django_db


def snapshot() -> list[object]:
    return [
        list(Couple.objects.values().order_by("id")),
        list(Partner.objects.values().order_by("id")),
        list(ContactChannel.objects.values().order_by("id")),
        list(ConsentRecord.objects.values().order_by("id")),
        list(Injury.objects.values().order_by("id")),
        CaseTransition.objects.count(),
        change_entries(),
    ]


def every_case_request(couple: Couple) -> list[tuple[str, str, dict[str, str]]]:
    """Return (method, url, data) for every URL of the case, with valid-looking input."""
    sam, alex = partners_of(couple)
    channel = ContactChannel.objects.filter(partner__couple=couple).first()
    consent = ConsentRecord.objects.filter(partner__couple=couple).first()
    injury = Injury.objects.filter(couple=couple).first()
    assert channel is not None
    assert consent is not None
    assert injury is not None
    document = documents()["treatment"]
    p = f"injury-{injury.id}"
    return [
        ("get", case_url("case", couple), {}),
        ("get", case_url("injury_subtypes", couple), {"injury-category": "infidelity"}),
        (
            "post",
            case_url("case_details", couple),
            {
                "case-label": "Hijacked",
                "case-secrets_policy": "limited_secrets",
                "case-modality": "mixed",
            },
        ),
        ("post", case_url("case_transition", couple), {"move-to_status": "intake_scheduled"}),
        (
            "post",
            case_url("partner_update", couple, sam.id),
            {"partner-A-display_name": "Hijacked", "partner-A-language": "en"},
        ),
        (
            "post",
            case_url("partner_goal", couple, sam.id),
            {"partner-A-goal-intake_goal": "unsure"},
        ),
        ("post", case_url("partner_screen", couple, alex.id), {}),
        (
            "post",
            case_url("channel_add", couple, sam.id),
            {
                "partner-A-channel-kind": "email",
                "partner-A-channel-value": "x@example.test",
                "partner-A-channel-safe_to_contact": "yes",
                "partner-A-channel-may_leave_message": "yes",
            },
        ),
        ("post", case_url("channel_remove", couple, channel.id), {}),
        ("post", case_url("consent_record", couple, sam.id), {"document": str(document.id)}),
        ("post", case_url("consent_withdraw", couple, consent.id), {}),
        (
            "post",
            case_url("injury_record", couple),
            {
                "injury-category": "infidelity",
                "injury-subtype": "paid_sex",
                "injury-hurt_partner": str(sam.id),
                "injury-hurtful_partner": str(alex.id),
                "injury-disclosure_state": "known_to_both",
            },
        ),
        (
            "post",
            case_url("injury_update", couple, injury.id),
            {f"{p}-disclosure_state": "disclosed_in_session", f"{p}-complex": "on"},
        ),
    ]


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_every_case_url_is_a_404_for_anyone_not_on_the_case(
    client: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    couple = case_with_everything(alice, "Canary Couple")
    other: User = request.getfixturevalue(persona)
    requests = every_case_request(couple)
    before = snapshot()
    login(client, other)
    for method, url, data in requests:
        for headers in ({}, {"HX-Request": "true"}):
            r = getattr(client, method)(url, data, headers=headers)
            assert r.status_code == 404, (method, url, r.status_code)
            body = r.content.decode()
            assert "Canary" not in body
            assert "Sam Rivera" not in body
    assert snapshot() == before


def test_a_colleague_added_to_the_case_may_work_on_it(
    client: Client, alice: User, bob: User
) -> None:
    couple = case_with_everything(alice)
    couple.co_clinicians.add(bob)
    r = login(client, bob).post(
        case_url("case_transition", couple), {"move-to_status": "intake_scheduled"}
    )
    assert r.status_code == 302
    couple.refresh_from_db()
    assert couple.status == Couple.Status.INTAKE_SCHEDULED


def test_ids_from_another_case_cannot_be_smuggled_through_my_case(
    client: Client, alice: User
) -> None:
    mine = case_with_everything(alice, "Mine")
    theirs = case_with_everything(alice, "Theirs")
    sam, _ = partners_of(theirs)
    channel = ContactChannel.objects.get(partner=sam)
    injury = Injury.objects.filter(couple=theirs).first()
    assert injury is not None
    before = snapshot()
    login(client, alice)
    assert client.post(case_url("partner_screen", mine, sam.id)).status_code == 404
    assert client.post(case_url("channel_remove", mine, channel.id)).status_code == 404
    assert client.post(case_url("injury_update", mine, injury.id), {}).status_code == 404
    assert snapshot() == before


def test_a_get_to_a_form_url_is_refused(client: Client, alice: User) -> None:
    couple = case_with_everything(alice)
    login(client, alice)
    assert client.get(case_url("case_details", couple)).status_code == 405
