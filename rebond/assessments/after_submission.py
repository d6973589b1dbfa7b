"""The steps that run after a partner's answers are stored, in the same transaction.

Storing and scoring the answers is this app's work (actions.submit_administration). What must
follow before the transaction commits belongs to apps above this one, which it may not import
(docs/architecture.md, "Layers and dependency direction"):

1. alerts: the safety rules write their alerts, so a risk answer can never be stored without
   its alert, nor an alert without its answer (SECURITY.md RL-03, RL-12);
2. measurement: the couple's progress signal is brought up to date, so it is never behind
   its scores (and raises its own alert through alerts).

The ordered list is named once, in rebond/measurement/after_submission.py, and installed here
by MeasurementConfig.ready(). Until it is installed a submission is refused rather than stored
without its steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from rebond.assessments.models import Submission

Step = Callable[["Submission"], object]

_steps: tuple[Step, ...] | None = None


def install(steps: Sequence[Step]) -> None:
    """Set the steps that follow every stored submission, in the order they run."""
    global _steps
    _steps = tuple(steps)


def installed() -> tuple[Step, ...]:
    """Return the steps that follow every stored submission, in order."""
    if _steps is None:
        raise RuntimeError(
            "The after-submission steps are not installed (rebond.measurement.apps); "
            "no answer is stored without its alerts and signal."
        )
    return _steps


def run(submission: Submission) -> None:
    """Run every step on a just-stored submission, inside the transaction that stored it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("After-submission steps must run inside the submission's transaction.")
    for step in installed():
        step(submission)
