"""A couple's progress, per instrument, for the clinician's page and PDF report.

Everything is read in a fixed number of queries: the couple's submissions (one), the
partners (one), the clinic's settings (one), the case events (one). Risk instruments (PHQ-9,
ASQ, HARK, HITS) never appear among the couple-level instruments: the DOMAIN header excludes
them from every couple-level view; their answers stay on the check-ins page, where each view
is audited.

One exception, for the clinician only (issue 15 B8): PHQ-9 totals per partner, in
`CoupleProgress.individual` ("individual measures, clinician only"), so a depression trend is
visible. Only the total is charted: item 9 (thoughts of death or self-harm) never reaches a
chart or an item table. Partner views (`summary`), the couple chart and the research export
never read this list.

Per instrument and partner, each score carries the therapy session it followed, as on the case
timeline (rebond/measurement/sessions.py); a couple with no session recorded yet counts
check-ins instead (observation k is check-in k, 0 = intake), and the axis says which.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import psychometrics
from psychometrics import Instrument
from psychometrics.display import figure
from psychometrics.signals import CoupleTrack, PartnerTrack
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner
from rebond.measurement import charts, local_norms
from rebond.measurement.models import MeasurementSettings
from rebond.measurement.parameters import Parameters, parameters_for, settings_for
from rebond.measurement.sessions import CHECKIN_AXIS, THERAPY_AXIS, SessionClock, therapy_clocks
from rebond.measurement.stages import CaseEvent, case_events
from rebond.measurement.tracking import category_of, judge

JSON = dict[str, Any]

# Alliance instruments a clinic may load with licensed wording (INSTRUMENTS.md 5.8); none ships
# in the default catalogue, so the split-alliance check has nothing to read until one is added.
ALLIANCE_INSTRUMENTS = ("SAI", "SOFTA-s", "WAI-SR")
# Risk instruments whose total is charted per partner for the clinician only (issue 15 B8).
INDIVIDUAL_MEASURES = ("PHQ-9",)


@dataclass(frozen=True)
class Observation:
    session: int
    at: datetime
    score: float
    answers: dict[str, int | None]


@dataclass(frozen=True)
class TableRow:
    """One session of the text alternative to a chart."""

    session: int
    values: tuple[str, ...]  # per partner: score, then change since intake


@dataclass(frozen=True)
class ItemRow:
    """One item: each partner's intake and latest answer (the item-level view)."""

    number: int
    topic: str
    answers: tuple[tuple[str, str], ...]  # per partner: (intake, latest)


@dataclass(frozen=True)
class Discrepancy:
    latest_gap: float
    gain_gap: float | None
    threshold: float | None

    @property
    def is_notable(self) -> bool:
        return (
            self.gain_gap is not None
            and self.threshold is not None
            and self.gain_gap >= (self.threshold)
        )


@dataclass
class InstrumentProgress:
    instrument: Instrument
    scale: str
    slug: str
    params: Parameters | None
    series: tuple[list[Observation], list[Observation]]
    chart: charts.ChartData
    alt: str
    table_head: tuple[str, ...]
    table: list[TableRow]
    items: list[ItemRow]
    tracks: tuple[PartnerTrack, PartnerTrack] | None = None
    couple_track: CoupleTrack | None = None
    categories: tuple[str, str] = ("", "")
    discrepancy: Discrepancy | None = None

    @property
    def title(self) -> str:
        name = self.instrument.code
        return name if self.scale == self.instrument.primary else f"{name} {self.scale}"

    @property
    def is_therapy_axis(self) -> bool:
        """Return whether the axis counts therapy sessions (else check-ins)."""
        return bool(self.chart.x_label == THERAPY_AXIS)

    @property
    def unit(self) -> str:
        """What the axis counts, in words: "therapy session" or "check-in"."""
        return _unit(therapy=self.chart.x_label == THERAPY_AXIS)

    @property
    def band_note(self) -> str:
        """Say what the band around intake is, or plainly that there is none ("" if unjudged)."""
        if self.params is None or self.params.scale != self.scale:
            return ""
        return self.params.band_note


@dataclass
class CoupleProgress:
    couple: Couple
    partners: tuple[Partner, ...]
    settings: MeasurementSettings
    events: list[CaseEvent]
    instruments: list[InstrumentProgress] = field(default_factory=list)
    # Individual measures, clinician only: totals per partner, no items (issue 15 B8).
    individual: list[InstrumentProgress] = field(default_factory=list)
    split_alliance: str = ""
    has_alliance_measure: bool = False

    @property
    def outcome(self) -> InstrumentProgress | None:
        code = self.settings.outcome_instrument
        return next((i for i in self.instruments if i.instrument.code == code), None)

    def instrument(self, slug: str) -> InstrumentProgress | None:
        """Return the chart of `slug` for the clinician's page: couple-level or individual."""
        return next((i for i in [*self.instruments, *self.individual] if i.slug == slug), None)


def _unit(*, therapy: bool) -> str:
    """Return what the axis counts, in words."""
    return _("therapy session") if therapy else _("check-in")


def better_label(scale: str, *, higher_is_better: bool) -> str:
    """Return a chart's y label: the scale's name and which way is better."""
    if higher_is_better:
        return _("%(scale)s (higher is better)") % {"scale": scale}
    return _("%(scale)s (lower is better)") % {"scale": scale}


def _fmt(value: float | None) -> str:
    return "" if value is None else figure(value, 2)


def _signed(value: float) -> str:
    """Write a change with its sign: +3, -1.5, 0."""
    text = figure(value, 2)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def place_events(
    events: Sequence[CaseEvent], dates: Sequence[datetime], clock: SessionClock | None = None
) -> list[charts.Event]:
    """Return the events as positions on the axis: between the sessions around each date.

    With a therapy clock the positions are therapy sessions; without, check-ins (`dates`).
    """
    placed = []
    for event in events:
        if clock is not None:
            placed.append(charts.Event(clock.position_of(event.at), event.label))
            continue
        index = bisect.bisect_right(list(dates), event.at)
        if dates and index > 0:
            placed.append(charts.Event(index - 0.5, event.label))
    return placed


def _label(instrument: Instrument, number: int, value: int | None) -> str:
    if value is None:
        return _("Not answered")
    item = instrument.items[number - 1]
    return next((o.label for o in item.options if o.value == value), str(value))


def _build(
    instrument: Instrument,
    scale: str,
    params: Parameters | None,
    pair: tuple[Partner, Partner],
    series: tuple[list[Observation], list[Observation]],
    events: Sequence[CaseEvent],
    session_days: Sequence[datetime] = (),
    clock: SessionClock | None = None,
    *,
    individual: bool = False,
) -> InstrumentProgress:
    slug = instrument.code if scale == instrument.primary else f"{instrument.code}~{scale}"
    cutoff = params.cutoff if params is not None else None
    lines = []
    for partner, observations in zip(pair, series, strict=True):
        band = None
        # The band around intake only where a reliable-change figure exists (issue 17).
        if observations and params is not None and params.reliable_change is not None:
            band = params.criteria.band(observations[0].score)
        lines.append(
            charts.PartnerLine(
                partner.display_name, [(o.session, o.score) for o in observations], band
            )
        )
    dates = max(series, key=len)
    low, high = instrument.score_range(scale)
    target = instrument.scale(scale)
    title = f"{instrument.code}: {target.name}"
    chart = charts.ChartData(
        title=title,
        y_label=better_label(target.name, higher_is_better=target.higher_is_better),
        y_range=(float(low), float(high)),
        cutoff=cutoff,
        higher_is_better=target.higher_is_better,
        partners=lines,
        events=place_events(events, session_days or [o.at for o in dates], clock),
        x_label=THERAPY_AXIS if clock is not None else CHECKIN_AXIS,
    )
    rows = []
    for session in sorted({o.session for observations in series for o in observations}):
        values: list[str] = []
        for observations in series:
            at = [o.score for o in observations if o.session == session]
            score = at[-1] if at else None
            change = None if score is None else score - observations[0].score
            values += [_fmt(score), "" if change is None else _signed(change)]
        rows.append(TableRow(session, tuple(values)))
    head = tuple(
        text
        for p in pair
        for text in (
            p.display_name,
            _("%(name)s: change since intake") % {"name": p.display_name},
        )
    )
    unit = _unit(therapy=clock is not None)
    alt_parts = [
        _("Line chart of %(measure)s by %(unit)s for both partners.")
        % {"measure": chart.y_label, "unit": unit}
    ]
    for partner, observations in zip(pair, series, strict=True):
        if observations:
            alt_parts.append(
                _("%(name)s: %(first)s at intake, %(latest)s at %(unit)s %(number)s.")
                % {
                    "name": partner.display_name,
                    "first": _fmt(observations[0].score),
                    "latest": _fmt(observations[-1].score),
                    "unit": unit,
                    "number": observations[-1].session,
                }
            )
        else:
            alt_parts.append(_("%(name)s: no scores yet.") % {"name": partner.display_name})
    alt_parts.append(charts.line_key(chart))
    if cutoff is not None:
        alt_parts.append(_("Clinical cut-off %(cutoff)s.") % {"cutoff": _fmt(cutoff)})
    if params is not None and params.scale == scale:
        alt_parts.append(params.band_note)
    alt_parts.append(_("Values in the table below."))
    items = []
    if not individual and (scale == instrument.primary or instrument.primary is None):
        for item in instrument.items:
            answers = []
            for observations in series:
                if observations:
                    first = observations[0].answers.get(str(item.number))
                    last = observations[-1].answers.get(str(item.number))
                    answers.append(
                        (
                            _label(instrument, item.number, first),
                            _label(instrument, item.number, last),
                        )
                    )
                else:
                    answers.append(("", ""))
            items.append(ItemRow(item.number, item.topic, tuple(answers)))
    progress = InstrumentProgress(
        instrument, scale, slug, params, series, chart, " ".join(alt_parts), head, rows, items
    )
    if params is not None and params.scale == scale:
        scores = {p.id: [o.score for o in s] for p, s in zip(pair, series, strict=True)}
        numbers = {p.id: [o.session for o in s] for p, s in zip(pair, series, strict=True)}
        judged = judge(params, list(pair), scores, numbers)
        progress.tracks = judged.partners
        progress.couple_track = judged.couple
        progress.categories = judged.categories
    a, b = series
    if a and b and not individual:
        gains = None
        if progress.tracks is not None:
            ga, gb = progress.tracks[0].gain, progress.tracks[1].gain
            gains = abs(ga - gb) if ga is not None and gb is not None else None
        progress.discrepancy = Discrepancy(
            abs(a[-1].score - b[-1].score), gains, params.divergence if params else None
        )
    return progress


def load(couple: Couple) -> CoupleProgress:
    """Return the couple's progress on every non-risk instrument they have answered, and
    each partner's individual measures (PHQ-9 totals) for the clinician."""
    partners = list(couple.partners.order_by("role"))
    pair = (partners[0], partners[1]) if len(partners) == 2 else None
    rows = {s.clinic_id: s for s in MeasurementSettings.objects.filter(clinic_id=couple.clinic_id)}
    settings = settings_for(couple.clinic_id, rows)
    events = case_events(couple)
    progress = CoupleProgress(couple, tuple(partners), settings, events)
    if pair is None:
        return progress
    submissions = (
        Submission.objects.filter(
            Q(administration__is_risk=False)
            | Q(administration__instrument_code__in=INDIVIDUAL_MEASURES),
            administration__couple=couple,
            complete=True,
        )
        .order_by("submitted_at", "id")
        # Scores and answers are encrypted at rest (rebond/crypto): read through the model.
        .select_related("administration")
    )
    by_code: dict[str, dict[uuid.UUID, list[tuple[datetime, JSON, JSON]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in submissions:
        administration = row.administration
        by_code[administration.instrument_code][administration.partner_id].append(
            (row.submitted_at, row.scores, row.answers)
        )
    # Session numbers come from the outcome instrument, given every session (DOMAIN 8): another
    # instrument's answer counts as the session on or before its day (half a day's grace).
    outcome_code = settings.outcome_instrument
    outcome_series = list(by_code.get(outcome_code, {}).values())
    longest = max(outcome_series, key=lambda rows: len(rows)) if outcome_series else []
    session_days = sorted(at for at, _, _ in longest)
    # Where therapy sessions are recorded, every score counts as the session it followed, as
    # on the timeline (rebond/measurement/sessions.py); otherwise check-ins are counted.
    clock = therapy_clocks([couple.id]).get(couple.id)

    def session_of(index: int, at: datetime, is_outcome: bool) -> int:
        if clock is not None:
            return clock.session_at(at)
        if is_outcome or not session_days:
            return index
        return max(0, bisect.bisect_right(session_days, at + timedelta(hours=12)) - 1)

    for code in sorted(by_code, key=lambda c: (c != settings.outcome_instrument, c)):
        try:
            instrument = psychometrics.get_instrument(code, include_unavailable=True)
        except psychometrics.ScoringError:
            continue
        params = parameters_for(instrument, settings)
        scales = [instrument.primary] if instrument.primary else [s.code for s in instrument.scales]
        for scale in scales:
            series: list[list[Observation]] = []
            for partner in pair:
                observations: list[Observation] = []
                for at, scores, answers in by_code[code].get(partner.id, []):
                    value = scores.get(scale)
                    if value is not None:
                        number = session_of(
                            len(observations), at, code == settings.outcome_instrument
                        )
                        observations.append(Observation(number, at, value, answers))
                series.append(observations)
            individual = code in INDIVIDUAL_MEASURES
            built = _build(
                instrument,
                scale,
                params,
                pair,
                (series[0], series[1]),
                events,
                session_days,
                clock,
                individual=individual,
            )
            if not individual:  # the clinic's own curve, where fitted (issue 17 item 2)
                built = local_norms.with_clinic_expectation(built, couple.clinic)
            (progress.individual if individual else progress.instruments).append(built)
    progress.split_alliance = _split_alliance(progress)
    return progress


def _split_alliance(progress: CoupleProgress) -> str:
    """Return a warning when the partners' latest alliance ratings lie far apart, else ""."""
    for item in progress.instruments:
        if item.instrument.code not in ALLIANCE_INSTRUMENTS:
            continue
        progress.has_alliance_measure = True
        if item.discrepancy is None:
            continue
        low, high = item.instrument.score_range(item.scale)
        # A practice choice, not a norm: a quarter of the range apart (no published threshold).
        if item.discrepancy.latest_gap >= 0.25 * (high - low):
            return _(
                "Split alliance: the partners' latest %(measure)s ratings are %(gap)s points apart."
            ) % {"measure": item.title, "gap": figure(item.discrepancy.latest_gap)}
    return ""


# The reliable-change categories (psychometrics.signals), as a report names them.
CATEGORY_LABELS = {
    "recovered": gettext_lazy("Recovered"),
    "improved": gettext_lazy("Improved"),
    "unchanged": gettext_lazy("Unchanged"),
    "deteriorated": gettext_lazy("Deteriorated"),
}


def category_label(category: str) -> str:
    """Return the reliable-change category as shown ("" when it cannot be judged)."""
    if not category:
        return _("Not judged")
    return str(CATEGORY_LABELS.get(category, category.capitalize()))


__all__ = ["CoupleProgress", "InstrumentProgress", "category_label", "category_of", "load"]
