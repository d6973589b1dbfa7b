"""Scheduling, autosave and submission: the data layer of confidential questionnaires."""

from __future__ import annotations

import pytest
from django.http import Http404

from rebond.accounts.models import User
from rebond.assessments import actions
from rebond.assessments.models import Administration, DraftAnswer, Submission
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

# PHQ-9 scored values 0-3 per item (Kroenke, Spitzer & Williams 2001, p. 607).
PHQ9_ITEM9_POSITIVE = {1: 1, 2: 1, 3: 0, 4: 1, 5: 0, 6: 0, 7: 1, 8: 0, 9: 2}


def partners(couple: Couple) -> tuple[Partner, Partner]:
    return couple.partners.get(role="A"), couple.partners.get(role="B")


def test_a_risk_instrument_is_scheduled_for_both_partners_together(alice: User) -> None:
    couple = make_couple(alice)
    scheduled = actions.schedule_instrument(alice, couple.id, "ASQ", occasion="Intake")
    assert len(scheduled) == 2
    assert {a.partner_id for a in scheduled} == set(couple.partners.values_list("id", flat=True))
    assert len({a.schedule_group for a in scheduled}) == 1
    assert len({a.due_at for a in scheduled}) == 1
    assert all(a.is_risk for a in scheduled)
    assert AuditEntry.objects.filter(action="assessments.administration.schedule").count() == 2


def test_a_risk_instrument_cannot_go_to_one_partner_only(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    with pytest.raises(ActionError, match="always given to both partners"):
        actions.schedule_instrument(alice, couple.id, "PHQ-9", partner_ids=[a.id])
    assert not Administration.objects.exists()


def test_a_non_risk_instrument_may_go_to_one_partner(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    (only,) = actions.schedule_instrument(alice, couple.id, "CSI-4", partner_ids=[a.id])
    assert only.partner_id == a.id
    assert not only.is_risk


def test_an_unverified_or_unknown_instrument_is_refused(alice: User) -> None:
    couple = make_couple(alice)
    for code in ("CSI-16", "NOPE-1"):
        with pytest.raises(ActionError):
            actions.schedule_instrument(alice, couple.id, code)
    assert not Administration.objects.exists()


def test_only_the_case_clinicians_can_schedule(alice: User, bob: User, charlie: User) -> None:
    couple = make_couple(alice)
    for outsider in (bob, charlie):
        with pytest.raises(Http404):
            actions.schedule_instrument(outsider, couple.id, "PHQ-9")


def test_autosave_keeps_one_current_answer_per_item(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = actions.schedule_instrument(alice, couple.id, "PHQ-9")[0]
    actions.save_draft_answer(a, administration.id, 1, 2)
    actions.save_draft_answer(a, administration.id, 1, 3)
    actions.save_draft_answer(a, administration.id, 2, 0)
    administration.refresh_from_db()
    assert administration.status == Administration.Status.IN_PROGRESS
    assert actions.draft_answers(administration) == {1: 3, 2: 0}
    actions.save_draft_answer(a, administration.id, 2, None)
    assert actions.draft_answers(administration) == {1: 3}


def test_autosave_refuses_a_value_the_key_does_not_have(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = actions.schedule_instrument(alice, couple.id, "PHQ-9")[0]
    for item, value in ((1, 4), (1, -1), (10, 0), (0, 0)):
        with pytest.raises(ActionError):
            actions.save_draft_answer(a, administration.id, item, value)
    assert not DraftAnswer.objects.exists()


def test_a_partner_can_never_touch_the_other_partners_administration(alice: User) -> None:
    couple = make_couple(alice)
    a, b = partners(couple)
    administration_of_a = next(
        x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner_id == a.id
    )
    with pytest.raises(Http404):
        actions.save_draft_answer(b, administration_of_a.id, 1, 1)
    with pytest.raises(Http404):
        actions.submit_administration(b, administration_of_a.id, administration_of_a.submission_key)
    assert not DraftAnswer.objects.exists()
    assert not Submission.objects.exists()


def test_submit_scores_through_psychometrics_in_the_same_transaction(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = next(
        x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner_id == a.id
    )
    for item, value in list(PHQ9_ITEM9_POSITIVE.items())[:5]:
        actions.save_draft_answer(a, administration.id, item, value)
    rest = dict(list(PHQ9_ITEM9_POSITIVE.items())[5:])
    outcome = actions.submit_administration(
        a, administration.id, administration.submission_key, rest
    )
    assert outcome.created
    submission = outcome.submission
    # 1+1+0+1+0+0+1+0+2 = 6: "mild" (5-9, Kroenke 2001); item 9 >= 1 flags whatever the total.
    assert submission.total == 6
    assert submission.band == "mild"
    assert submission.complete
    assert submission.has_risk_flag
    assert submission.answers["9"] == 2
    administration.refresh_from_db()
    assert administration.status == Administration.Status.SUBMITTED
    assert not administration.draft_answers.exists()
    entry = AuditEntry.objects.get(action="assessments.administration.submit")
    assert entry.actor_label == f"partner:{a.pk}"


def test_submit_is_idempotent_by_key(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = next(
        x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner_id == a.id
    )
    first = actions.submit_administration(
        a, administration.id, administration.submission_key, PHQ9_ITEM9_POSITIVE
    )
    again = actions.submit_administration(
        a, administration.id, administration.submission_key, PHQ9_ITEM9_POSITIVE
    )
    assert first.created
    assert not again.created
    assert again.submission.pk == first.submission.pk
    assert Submission.objects.count() == 1
    with pytest.raises(ActionError) as excinfo:
        actions.submit_administration(a, administration.id, "00000000-0000-4000-8000-000000000001")
    assert excinfo.value.status == 409
    with pytest.raises(ActionError):
        actions.save_draft_answer(a, administration.id, 1, 0)


def test_an_incomplete_submission_is_never_a_silent_total(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = next(
        x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner_id == a.id
    )
    outcome = actions.submit_administration(
        a, administration.id, administration.submission_key, {1: 1, 2: 1}
    )
    assert outcome.submission.total is None
    assert not outcome.submission.complete
    assert outcome.submission.missing == [3, 4, 5, 6, 7, 8, 9]


def test_a_malformed_key_or_answer_changes_nothing(alice: User) -> None:
    couple = make_couple(alice)
    a, _ = partners(couple)
    administration = next(
        x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner_id == a.id
    )
    with pytest.raises(ActionError):
        actions.submit_administration(a, administration.id, "not-a-key")
    with pytest.raises(ActionError):
        actions.submit_administration(a, administration.id, administration.submission_key, {1: 7})
    administration.refresh_from_db()
    assert administration.is_open
    assert not Submission.objects.exists()


def test_cancelling_a_risk_instrument_cancels_both_partners_copies(alice: User) -> None:
    couple = make_couple(alice)
    first, second = actions.schedule_instrument(alice, couple.id, "ASQ")
    actions.cancel_administration(alice, first.id)
    second.refresh_from_db()
    assert second.status == Administration.Status.CANCELLED
