"""Changing a clinic's measurement parameters (clinic admins only).

Every value is checked against what the algorithm can use (psychometrics/recovery.py), the
change is audited (names of the fields changed, never values of clinical content), and every
active couple's signal is recomputed after commit so the caseload never shows a signal judged
by parameters that no longer hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction

import psychometrics
from psychometrics.recovery import PLANNED_SESSIONS_RANGE
from rebond import access
from rebond.accounts.models import Clinic, User
from rebond.assessments import scoring
from rebond.audit.updates import audited_update
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.measurement.models import MeasurementSettings
from rebond.measurement.tracking import refresh_tracks


@dataclass(frozen=True)
class SettingsDraft:
    outcome_instrument: str
    planned_sessions: int | None
    flag_from_session: int | None
    tolerance: float | None = None
    divergence: float | None = None
    local_sd: float | None = None
    local_reliability: float | None = None
    local_norms_source: str = ""


def outcome_choices() -> list[str]:
    """Return the instruments that can carry the signal: a total, a cut-off, no risk items."""
    codes = []
    for instrument in psychometrics.available():
        primary = instrument.primary
        rule = instrument.change_rule(primary) if primary else None
        if rule is None or rule.cutoff is None or scoring.is_risk_instrument(instrument):
            continue
        codes.append(instrument.code)
    return codes


def get_settings_clinic(user: User) -> Clinic:
    """Return the clinic whose parameters the user may change (its admins; access gateway)."""
    return access.get_admin_clinic(user)


def _errors(draft: SettingsDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    low, high = PLANNED_SESSIONS_RANGE
    if draft.outcome_instrument not in outcome_choices():
        errors["outcome_instrument"] = ["Choose a questionnaire with a total and a cut-off."]
    if draft.planned_sessions is None or not low <= draft.planned_sessions <= high:
        errors["planned_sessions"] = [f"Use a whole number of sessions from {low} to {high}."]
    planned = draft.planned_sessions or high
    if draft.flag_from_session is None or not 1 <= draft.flag_from_session <= planned:
        errors["flag_from_session"] = [f"Use a session from 1 to {planned}."]
    for name in ("tolerance", "divergence", "local_sd"):
        value = getattr(draft, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            errors[name] = ["Use a number above 0, or leave it empty for the default."]
    r = draft.local_reliability
    if r is not None and not 0 <= r < 1:
        errors["local_reliability"] = ["Use a reliability from 0 up to (not including) 1."]
    if (draft.local_sd is None) != (r is None):
        errors.setdefault("local_sd", []).append(
            "Give both the SD and the reliability of your local norms, or neither."
        )
    if draft.local_sd is not None and not draft.local_norms_source.strip():
        errors["local_norms_source"] = ["Say where the local norms come from."]
    if len(draft.local_norms_source) > 200:
        errors["local_norms_source"] = ["Keep this to 200 characters or fewer."]
    return errors


FIELDS = (
    "outcome_instrument",
    "planned_sessions",
    "flag_from_session",
    "tolerance",
    "divergence",
    "local_sd",
    "local_reliability",
    "local_norms_source",
)


@transaction.atomic
def set_measurement_settings(user: User, draft: SettingsDraft) -> MeasurementSettings:
    """Save the clinic's parameters and recompute every active couple's signal after commit."""
    clinic = get_settings_clinic(user)
    errors = _errors(draft)
    if errors:
        raise ActionError("The measurement settings could not be saved.", errors)
    settings, _ = MeasurementSettings.objects.select_for_update().get_or_create(clinic=clinic)
    values = {name: getattr(draft, name) for name in FIELDS}
    values["local_norms_source"] = draft.local_norms_source.strip()
    if not audited_update(
        settings, values, user, "measurement.settings.update", clinic_id=clinic.id
    ):
        return settings
    active = Couple.objects.filter(clinic=clinic).exclude(status__in=Couple.INACTIVE_STATUSES)
    ids = list(active.values_list("id", flat=True))
    transaction.on_commit(lambda: refresh_tracks(ids))
    return settings
