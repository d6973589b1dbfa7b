"""A case's status moves and what else writes on the case never deadlock (PostgreSQL, two
threads, two connections; the pauses force each order).

Every audited transaction holds the audit chain's head until it commits, so whoever also
locks the case must lock it before its first audit entry: a clinician's move locks the case
and then audits, and a HIGH answer's safety pause must do the same, or each would wait for
the other and PostgreSQL would abort one (the partner's answers with it). The case row is
locked FOR NO KEY UPDATE, like any UPDATE of it: a plain FOR UPDATE would also block the
key-share lock another transaction's deferred foreign-key check takes at commit (a note
written on the case), while that transaction holds the audit head the move waits for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from rebond import access, audit
from rebond.accounts.models import User
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF
from rebond.assessments import actions as assessments
from rebond.couples import actions as couple_actions
from rebond.couples.models import CaseTransition, Couple
from rebond.couples.tests.test_team_races import SETTLE_SECONDS, in_thread, pause_before
from rebond.test import make_couple
from rebond.therapy import actions as therapy_actions
from rebond.therapy.models import Note

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

REASON = "Partner A asked for individual sessions for now."


@pytest.fixture
def couple(alice: User) -> Couple:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    return make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)


def high_risk_answer(alice: User, couple: Couple) -> Callable[[], Any]:
    partner = couple.partners.get(role="A")
    administration = next(
        a
        for a in assessments.schedule_instrument(alice, couple.id, "PHQ-9")
        if a.partner_id == partner.id
    )
    return lambda: assessments.submit_administration(
        partner, administration.id, administration.submission_key, ITEM9_MORE_THAN_HALF
    )


def move(alice: User, couple: Couple) -> Callable[[], Any]:
    return lambda: couple_actions.transition_case(
        alice, couple.id, Couple.Status.INDIVIDUAL_ONLY, reason=REASON, override=True
    )


def assert_both_done(couple: Couple, errors: list[BaseException]) -> None:
    assert errors == []
    assert Alert.objects.filter(couple=couple, severity=Alert.Severity.HIGH).count() == 1
    assert CaseTransition.objects.filter(
        couple=couple, to_status=Couple.Status.INDIVIDUAL_ONLY, by__isnull=False
    ).exists()


def test_a_move_holding_the_case_then_a_high_answer(
    alice: User, couple: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = high_risk_answer(alice, couple)
    # The move stops once it holds the case, before it writes and audits.
    locked, go_on = pause_before(monkeypatch, couple_actions, "unmet_guards")
    errors: list[BaseException] = []
    moving = in_thread(move(alice, couple), errors)
    assert locked.wait(timeout=10)
    submission = in_thread(submit, errors)
    time.sleep(SETTLE_SECONDS)  # the submission now waits for the case
    go_on.set()
    moving.join(timeout=30)
    submission.join(timeout=30)
    assert_both_done(couple, errors)
    # The answer came second: the case had already left conjoint work, so nothing to pause.
    couple.refresh_from_db()
    assert couple.status == Couple.Status.INDIVIDUAL_ONLY


def test_a_high_answer_being_scored_then_a_move(
    alice: User, couple: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = high_risk_answer(alice, couple)
    # The submission stops once its answers are audited, while its alert is being written.
    audited, go_on = pause_before(monkeypatch, access, "case_clinicians")
    errors: list[BaseException] = []
    submission = in_thread(submit, errors)
    assert audited.wait(timeout=10)
    moving = in_thread(move(alice, couple), errors)
    time.sleep(SETTLE_SECONDS)  # the move now waits for the case
    go_on.set()
    submission.join(timeout=30)
    moving.join(timeout=30)
    assert_both_done(couple, errors)
    # The answer came first and paused conjoint work; the clinician's move came after it.
    assert list(
        CaseTransition.objects.filter(couple=couple).order_by("id").values_list("to_status", "by")
    )[-2:] == [(Couple.Status.PAUSED_SAFETY, None), (Couple.Status.INDIVIDUAL_ONLY, alice.pk)]


def test_a_note_written_on_the_case_then_a_move(
    alice: User, couple: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The note is written and audited (the audit head held) and stops before it commits,
    # when PostgreSQL checks its foreign key to the case.
    audited, go_on = threading.Event(), threading.Event()
    log = audit.log

    def paused(*args: Any, **kwargs: Any) -> Any:
        entry = log(*args, **kwargs)
        if kwargs.get("action") == "therapy.note.write":
            audited.set()
            go_on.wait(timeout=10)
        return entry

    monkeypatch.setattr(audit, "log", paused)
    errors: list[BaseException] = []
    writing = in_thread(
        lambda: therapy_actions.write_note(
            alice, couple.id, kind=Note.Kind.values[0], body="Session plan."
        ),
        errors,
    )
    assert audited.wait(timeout=10)
    moving = in_thread(move(alice, couple), errors)
    time.sleep(SETTLE_SECONDS)  # the move now holds the case and waits for the audit head
    go_on.set()
    writing.join(timeout=30)
    moving.join(timeout=30)
    assert errors == []
    assert Note.objects.filter(couple=couple).count() == 1
    couple.refresh_from_db()
    assert couple.status == Couple.Status.INDIVIDUAL_ONLY
