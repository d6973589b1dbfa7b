"""What happens after a partner's answers are stored, in order, in the same transaction.

assessments stores and scores the answers (assessments.actions.submit_administration) and then
runs these steps before its transaction commits (rebond/assessments/after_submission.py). They
live here, in the highest app they belong to, because assessments sits below both and may not
import them (docs/architecture.md, "Layers and dependency direction"):

1. `alerts.actions.raise_alerts_for`: the safety rules write their alerts and notifications;
   a risk answer is never stored without its alert (SECURITY.md RL-03, RL-12).
2. `measurement.tracking.track_after_submission`: the couple's progress signal is brought
   up to date (and raises its alert), so it is never behind its scores.

An exception in any step rolls the submission back with it.
"""

from __future__ import annotations

from rebond.alerts.actions import raise_alerts_for
from rebond.assessments.after_submission import Step
from rebond.measurement.tracking import track_after_submission

STEPS: tuple[Step, ...] = (raise_alerts_for, track_after_submission)
