"""Changing a clinic's measurement settings (clinic admins only).

Every value is checked against what the algorithm can use (psychometrics/signals.py), the
change is audited (names of the fields changed, never values of clinical content), and every
active couple's signal is recomputed after commit so the caseload never shows a signal judged
by parameters that no longer hold.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

import psychometrics
from psychometrics.signals import DEFAULT_REVIEW_SESSION, REVIEW_SESSION_RANGE
from rebond import access
from rebond.accounts.models import Clinic, User
from rebond.assessments import checkins, scoring
from rebond.audit.updates import audited_update
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.measurement.models import MeasurementSettings
from rebond.measurement.tracking import refresh_tracks


@dataclass(frozen=True)
class SettingsDraft:
    outcome_instrument: str
    review_session: int | None = DEFAULT_REVIEW_SESSION
    divergence: float | None = None
    local_sd: float | None = None
    local_reliability: float | None = None
    local_norms_source: str = ""


def outcome_choices(clinic_id: uuid.UUID | None = None) -> list[str]:
    """Return the instruments that can carry the signal: a total, a cut-off, no risk items.

    Those of the default catalogue, and (with `clinic_id`) those the clinic chose to offer after
    checking a key Rebond could not verify (`checkins.approved_codes`): the RDAS, whose cut-off
    and reliable-change figure are published (Anderson et al. 2014) but whose item key was read
    only in a secondary copy (docs/measurement.md).
    """
    approved = checkins.approved_codes(clinic_id)
    codes = []
    for instrument in psychometrics.REGISTRY.values():
        if not (instrument.is_available or instrument.code in approved):
            continue
        primary = instrument.primary
        rule = instrument.change_rule(primary) if primary else None
        if rule is None or rule.cutoff is None or scoring.is_risk_instrument(instrument):
            continue
        codes.append(instrument.code)
    return codes


def get_settings_clinic(user: User) -> Clinic:
    """Return the clinic whose parameters the user may change (its admins; access gateway)."""
    return access.get_admin_clinic(user)


def _errors(draft: SettingsDraft, clinic_id: uuid.UUID) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    low, high = REVIEW_SESSION_RANGE
    if draft.outcome_instrument not in outcome_choices(clinic_id):
        errors["outcome_instrument"] = [_("Choose a questionnaire with a total and a cut-off.")]
    if draft.review_session is None or not low <= draft.review_session <= high:
        errors["review_session"] = [
            _(
                "Use a session from %(low)s to %(high)s: the session by which a partner who has"
                " not reliably improved is flagged for review."
            )
            % {"low": low, "high": high}
        ]
    for name in ("divergence", "local_sd"):
        value = getattr(draft, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            errors[name] = [_("Use a number above 0, or leave it empty for the default.")]
    r = draft.local_reliability
    if r is not None and not 0 <= r < 1:
        errors["local_reliability"] = [_("Use a reliability from 0 up to (not including) 1.")]
    if (draft.local_sd is None) != (r is None):
        errors.setdefault("local_sd", []).append(
            _("Give both the SD and the reliability of your local norms, or neither.")
        )
    if draft.local_sd is not None and not draft.local_norms_source.strip():
        errors["local_norms_source"] = [_("Say where the local norms come from.")]
    if len(draft.local_norms_source) > 200:
        errors["local_norms_source"] = [
            _("Keep this to %(limit)s characters or fewer.") % {"limit": 200}
        ]
    return errors


FIELDS = (
    "outcome_instrument",
    "review_session",
    "divergence",
    "local_sd",
    "local_reliability",
    "local_norms_source",
)


@transaction.atomic
def set_measurement_settings(user: User, draft: SettingsDraft) -> MeasurementSettings:
    """Save the clinic's settings and recompute every active couple's signal after commit."""
    clinic = get_settings_clinic(user)
    errors = _errors(draft, clinic.id)
    if errors:
        raise ActionError(_("The measurement settings could not be saved."), errors)
    settings, _created = MeasurementSettings.objects.select_for_update().get_or_create(
        clinic=clinic
    )
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
