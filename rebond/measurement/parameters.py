"""What one instrument is judged against under one clinic's settings, and where each figure
comes from.

In order of precedence:

- Reliable-change figure: the clinic's local norms for its outcome instrument (1.96 x Sdiff,
  Jacobson & Truax 1991, with the source the clinic gave), else the instrument's published
  threshold or published norms (`psychometrics` instrument modules cite each), else none. The
  CSI-4 has none published (INSTRUMENT-KEYS-2.md 1.4): its partners are "not judged", no band
  is drawn, and nothing is flagged. There is no fallback tolerance: a number Rebond made up
  would flag partners on nothing (issue 17).
- Divergence (how far apart the partners' gains since intake may grow): the clinic's own value,
  else sqrt(2) x the reliable-change figure. Each partner's gain carries the measurement error
  of a change score (Sdiff); the difference of two independent gains has sqrt(2) x Sdiff, so
  1.96 x sqrt(2) x Sdiff = sqrt(2) x the reliable-change figure is the smallest reliable gap
  (the same Jacobson-Truax reasoning, applied to two partners). Without either, none.
- Cut-off: the instrument's published cut-off (cited in its module), or none.
- Review session: the clinic's practice choice (default 6, `psychometrics.signals`).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

import psychometrics
from psychometrics import Instrument, Norms
from psychometrics.change import RCI_CRITICAL
from psychometrics.display import figure
from psychometrics.norms import check_norms, standard_error_of_difference
from psychometrics.signals import Criteria
from rebond.measurement.models import DEFAULT_OUTCOME_INSTRUMENT, MeasurementSettings


@dataclass(frozen=True)
class Parameters:
    """An instrument's criteria and where each of its figures came from."""

    instrument: Instrument
    scale: str
    criteria: Criteria
    reliable_change: float | None
    reliable_change_source: str
    divergence: float | None
    divergence_source: str
    cutoff: float | None
    cutoff_source: str
    norms: Norms | None

    @property
    def band_note(self) -> str:
        """Say what the band around intake is, or plainly that there is none."""
        code = self.instrument.code
        if self.reliable_change is None:
            return _(
                "%(code)s has no published reliable-change figure: no band is drawn and no"
                " change is judged reliable."
            ) % {"code": code}
        return _(
            "Band: intake ± %(figure)s points (%(source)s). Change inside it may be measurement"
            " error; it is not a prediction."
        ) % {"figure": figure(self.reliable_change, 2), "source": self.reliable_change_source}


def settings_for(
    clinic_id: uuid.UUID, rows: Mapping[uuid.UUID, MeasurementSettings]
) -> MeasurementSettings:
    """Return the clinic's settings row, or an unsaved one holding the defaults."""
    return rows.get(clinic_id) or MeasurementSettings(outcome_instrument=DEFAULT_OUTCOME_INSTRUMENT)


def local_norms(settings: MeasurementSettings) -> Norms | None:
    """Return the clinic's local norms for its outcome instrument, if it supplied usable ones."""
    if settings.local_sd is None or settings.local_reliability is None:
        return None
    norms = Norms(
        sd=settings.local_sd,
        reliability=settings.local_reliability,
        source=settings.local_norms_source or _("the clinic's local norms"),
    )
    try:
        return check_norms(norms)
    except psychometrics.InvalidNorms:
        return None


def parameters_for(instrument: Instrument, settings: MeasurementSettings) -> Parameters | None:
    """Return the criteria of an instrument's primary scale, or None when it has no total."""
    scale = instrument.primary
    if scale is None:
        return None
    rule = instrument.change_rule(scale)
    is_outcome = instrument.code == settings.outcome_instrument
    norms = local_norms(settings) if is_outcome else None
    rc: float | None = None
    rc_source = _("no published reliable-change figure; a clinic may enter local norms")
    if norms is not None:
        rc = RCI_CRITICAL * standard_error_of_difference(norms.sd, norms.reliability)
        rc_source = _("1.96 x Sdiff from the clinic's local norms: %(source)s") % {
            "source": norms.source
        }
    elif rule is not None and rule.reliable_change is not None:
        rc, rc_source = rule.reliable_change, rule.reliable_change_source
    elif rule is not None and rule.norms is not None:
        rc = RCI_CRITICAL * standard_error_of_difference(rule.norms.sd, rule.norms.reliability)
        rc_source = _("1.96 x Sdiff from %(source)s") % {"source": rule.norms.source}
    divergence: float | None = None
    divergence_source = _("none: no published reliable-change figure")
    if rc is not None:
        divergence = round(math.sqrt(2) * rc, 2)
        divergence_source = _("sqrt(2) x the reliable-change figure")
    if is_outcome and settings.divergence is not None:
        divergence, divergence_source = settings.divergence, _("set by the clinic")
    cutoff = rule.cutoff if rule is not None else None
    criteria = Criteria(
        higher_is_better=instrument.scale(scale).higher_is_better,
        reliable_change=rc,
        cutoff=cutoff,
        review_session=settings.review_session,
    )
    return Parameters(
        instrument=instrument,
        scale=scale,
        criteria=criteria,
        reliable_change=rc,
        reliable_change_source=rc_source,
        divergence=divergence,
        divergence_source=divergence_source,
        cutoff=cutoff,
        cutoff_source=(rule.cutoff_source if rule is not None and cutoff is not None else ""),
        norms=norms,
    )
