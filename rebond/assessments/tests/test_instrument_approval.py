"""A clinic admin may offer an instrument kept out of the default catalogue (its key is partly
unverified) after confirming they checked the key; only at their clinic, and its results say so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.assessments import actions, scoring
from rebond.assessments.forms import ScheduleForm
from rebond.assessments.models import InstrumentApproval
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True)


def test_an_unverified_instrument_cannot_be_scheduled_until_the_clinic_offers_it(
    alice: User, admin: User
) -> None:
    couple = make_couple(alice)
    with pytest.raises(ActionError, match="CSI-16 is not offered at this clinic"):
        actions.schedule_instrument(alice, couple.id, "CSI-16")
    actions.approve_instrument(admin, "CSI-16")
    scheduled = actions.schedule_instrument(alice, couple.id, "CSI-16")
    assert len(scheduled) == 2
    entry = AuditEntry.objects.get(action="assessments.instrument.approve")
    assert entry.actor_id == admin.pk


def test_the_offer_holds_at_that_clinic_only(alice: User, admin: User, charlie: User) -> None:
    actions.approve_instrument(admin, "CSI-16")
    ours = ScheduleForm(make_couple(alice))
    theirs = ScheduleForm(make_couple(charlie))
    assert "CSI-16" in dict(ours.fields["instrument"].choices)  # type: ignore[attr-defined]
    assert "CSI-16" not in dict(theirs.fields["instrument"].choices)  # type: ignore[attr-defined]
    with pytest.raises(ActionError):
        actions.schedule_instrument(charlie, make_couple(charlie).id, "CSI-16")


def test_only_a_clinic_admin_offers_and_only_what_can_be_shown(alice: User, admin: User) -> None:
    from rebond.access import SettingsRefused

    with pytest.raises(SettingsRefused):  # told which admins to ask (rebond/accounts/refusals.py)
        actions.approve_instrument(alice, "CSI-16")
    # A scoring-only instrument has no wording to show; a catalogue one needs no approval.
    for code in ("RDAS", "PHQ-9", "NOPE"):
        with pytest.raises(ActionError, match="cannot be offered"):
            actions.approve_instrument(admin, code)
    assert not InstrumentApproval.objects.exists()


def test_the_settings_page_asks_the_admin_to_confirm_the_key_was_checked(
    client: Client, admin: User
) -> None:
    sign_in(client, admin)
    page = client.get(reverse("schedule_settings"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Questionnaires outside the default catalogue" in body
    reason = scoring.instrument("CSI-16").unverified
    assert reason is not None
    assert reason in body  # the reason, word for word

    refused = client.post(reverse("approve_instrument"), {"instrument": "CSI-16"})
    assert refused.status_code == 400
    assert "Tick the box to confirm you checked the scoring key." in refused.content.decode()
    assert not InstrumentApproval.objects.exists()

    done = client.post(
        reverse("approve_instrument"), {"instrument": "CSI-16", "key_checked": "on"}, follow=True
    )
    assert done.status_code == 200
    assert "CSI-16 is now offered" in done.content.decode()
    approval = InstrumentApproval.objects.get()
    assert approval.reason_shown == scoring.instrument("CSI-16").unverified
    assert "Stop offering CSI-16" in done.content.decode()


def test_withdrawing_stops_new_check_ins_but_open_ones_are_still_answered_and_scored(
    alice: User, admin: User
) -> None:
    couple = make_couple(alice)
    actions.approve_instrument(admin, "CSI-16")
    [first, _] = actions.schedule_instrument(alice, couple.id, "CSI-16")
    assert actions.withdraw_instrument_approval(admin, "CSI-16")
    with pytest.raises(ActionError):
        actions.schedule_instrument(alice, couple.id, "CSI-16")
    inst = scoring.instrument("CSI-16")
    answers = {item.number: max(item.values) for item in inst.items}
    outcome = actions.submit_administration(
        first.partner, first.id, first.submission_key, dict(answers)
    )
    # Every item at its most satisfied option: the published maximum, 81 (Funk & Rogge 2007).
    assert outcome.submission.total == 81


def test_the_clinicians_results_say_the_key_is_not_verified(
    client: Client, alice: User, admin: User
) -> None:
    couple = make_couple(alice)
    actions.approve_instrument(admin, "CSI-16")
    actions.schedule_instrument(alice, couple.id, "CSI-16")
    actions.schedule_instrument(alice, couple.id, "PHQ-9")
    sign_in(client, alice)
    body = client.get(reverse("case_checkins", kwargs={"couple_id": couple.id})).content.decode()
    # One note per CSI-16 check-in (one per partner), none for the PHQ-9.
    assert body.count("Scoring key not verified by Rebond") == 2
