"""The per-person export (GDPR 15/20) holds one partner's own data and none of the other's."""

from __future__ import annotations

import json

import pytest

from rebond.couples.models import Couple
from rebond.diary import actions as diary_actions
from rebond.diary.models import DiaryPlan
from rebond.interop import exports

pytestmark = pytest.mark.django_db


def test_partner_a_export_has_their_answers_channels_consents_and_goal(demo_couple: Couple) -> None:
    therapist = demo_couple.primary_clinician
    partner_a = demo_couple.partners.get(role="A")
    data = json.loads(exports.person_export(therapist, partner_a.id))
    assert data["partner"]["id"] == str(partner_a.id)
    assert data["partner"]["intake_goal"] == partner_a.intake_goal
    assert data["checkins"]
    assert data["consents"]
    own = {c.value for c in partner_a.contact_channels.all()}
    assert {c["value"] for c in data["contact_channels"]} == own


def test_partner_a_export_holds_nothing_of_partner_b(demo_couple: Couple) -> None:
    therapist = demo_couple.primary_clinician
    partner_a = demo_couple.partners.get(role="A")
    partner_b = demo_couple.partners.get(role="B")
    text = exports.person_export(therapist, partner_a.id)
    assert str(partner_b.id) not in text
    assert partner_b.display_name not in text
    for channel in partner_b.contact_channels.all():
        assert channel.value not in text
        if channel.safe_hours:
            assert channel.safe_hours not in text
    b_admins = [str(a.id) for a in partner_b.administrations.all()]
    assert not any(admin_id in text for admin_id in b_admins)


def test_the_export_holds_the_partners_own_diary_and_not_what_the_other_shared(
    demo_couple: Couple,
) -> None:
    therapist = demo_couple.primary_clinician
    partner_a = demo_couple.partners.get(role="A")
    partner_b = demo_couple.partners.get(role="B")
    DiaryPlan.objects.update_or_create(
        couple=demo_couple, defaults={"offered": True, "updated_by": therapist}
    )
    mine = diary_actions.write_entry(
        partner_a, diary_actions.DiaryDraft(felt_safe=3, felt_close=6, line="Mine to keep")
    )
    theirs = diary_actions.write_entry(
        partner_b, diary_actions.DiaryDraft(felt_safe=8, felt_close=7, line="Shared by B")
    )
    diary_actions.share_entry(partner_b, theirs.id)
    data = json.loads(exports.person_export(therapist, partner_a.id))
    exported = data["diary_entries"]
    assert len(exported) == partner_a.diary_entries.count()
    [entry] = [e for e in exported if e["line"] == mine.line]
    assert (entry["felt_safe"], entry["felt_close"], entry["shared_at"]) == (3, 6, None)
    assert "Shared by B" not in json.dumps(data)
