"""The steps after a stored submission: named once, in order, run in its transaction.

assessments may not import alerts or measurement (docs/architecture.md, layers), so the steps
are installed into it at start-up; these tests pin the order and the transaction.
"""

from __future__ import annotations

import pytest

from rebond.accounts.models import User
from rebond.alerts.actions import raise_alerts_for
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, answer
from rebond.assessments import after_submission
from rebond.assessments.models import Submission
from rebond.measurement.tracking import track_after_submission
from rebond.test import make_couple


def test_alerts_are_raised_first_then_the_signal_is_brought_up_to_date() -> None:
    assert after_submission.installed() == (raise_alerts_for, track_after_submission)


def test_a_risk_answer_is_stored_with_its_alert(alice: User) -> None:
    couple = make_couple(alice)
    submission = answer(alice, couple, couple.partners.get(role="A"), ITEM9_MORE_THAN_HALF)
    assert Alert.objects.filter(source_submission=submission).exists()


def test_a_failing_step_takes_the_answers_with_it(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(submission: Submission) -> None:
        raise RuntimeError("the alert could not be written")

    monkeypatch.setattr(after_submission, "_steps", (raise_alerts_for, fail))
    couple = make_couple(alice)
    with pytest.raises(RuntimeError, match="could not be written"):
        answer(alice, couple, couple.partners.get(role="A"), ITEM9_MORE_THAN_HALF)
    assert not Submission.objects.exists()
    assert not Alert.objects.exists()


def test_no_answer_is_stored_while_the_steps_are_not_installed(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(after_submission, "_steps", None)
    couple = make_couple(alice)
    with pytest.raises(RuntimeError, match="not installed"):
        answer(alice, couple, couple.partners.get(role="A"), ITEM9_MORE_THAN_HALF)
    assert not Submission.objects.exists()


def test_the_steps_refuse_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the submission's transaction"):
        after_submission.run(Submission())
