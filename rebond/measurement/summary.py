"""What one partner may see of their own progress (DOMAIN.md 7.5), for their page and a PDF.

Visibility is enforced in the query, not in a template, by the rules of
rebond/access/partners.py:
- only this partner's own submissions (partner and couple both match);
- never a risk instrument, its scores or its flags (risk screens are not shown to partners by
  default, and never to the other partner);
- the couple-level chart, which shows both partners' outcome scores, only when both partners
  have an active consent to questionnaires and feedback and no safety concern is open
  (DOMAIN 7.5, "Couple-level progress chart: only if both consent and no open safety flag");
- never an alert, a progress signal, a reliable-change band or a clinician's note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

import psychometrics
from psychometrics.display import figure
from rebond import access
from rebond.couples.models import Partner
from rebond.measurement import charts
from rebond.measurement.models import DEFAULT_OUTCOME_INSTRUMENT, MeasurementSettings
from rebond.measurement.progress import better_label


@dataclass(frozen=True)
class OwnScore:
    session: int
    at: datetime
    score: float
    band: str


@dataclass
class OwnInstrument:
    code: str
    name: str
    interpretation: str
    scores: list[OwnScore]
    chart: charts.ChartData
    alt: str


@dataclass
class ClientSummary:
    partner: Partner
    instruments: list[OwnInstrument] = field(default_factory=list)
    couple_chart: charts.ChartData | None = None
    couple_chart_alt: str = ""
    couple_chart_withheld: str = ""
    # The couple chart's values as a table: a heading per partner, then (check-in, scores).
    couple_table_head: list[str] = field(default_factory=list)
    couple_table: list[tuple[int, list[float | None]]] = field(default_factory=list)


def _series(
    partner: Partner, code: str | None = None
) -> list[tuple[str, datetime, dict[str, Any], str]]:
    rows = access.submissions_shown_to_partner(partner)
    if code is not None:
        rows = rows.filter(administration__instrument_code=code)
    # Scores and bands are encrypted at rest (rebond/crypto): read through the model.
    return [
        (row.administration.instrument_code, row.submitted_at, row.scores, row.band)
        for row in rows.order_by("submitted_at", "id").select_related("administration")
    ]


def _chart(inst: psychometrics.Instrument, lines: list[charts.PartnerLine]) -> charts.ChartData:
    scale = inst.primary or inst.scales[0].code
    low, high = inst.score_range(scale)
    rule = inst.change_rule(scale)
    target = inst.scale(scale)
    return charts.ChartData(
        title=f"{inst.name}",
        y_label=better_label(target.name, higher_is_better=target.higher_is_better),
        y_range=(float(low), float(high)),
        cutoff=rule.cutoff if rule is not None else None,
        higher_is_better=target.higher_is_better,
        partners=lines,
        x_label=_("Check-in"),
        width_inches=6.5,
        height_inches=3.2,
    )


def client_summary(partner: Partner) -> ClientSummary:
    """Return the partner's own progress, and the couple chart only when it may be shown."""
    summary = ClientSummary(partner)
    grouped: dict[str, list[tuple[datetime, dict[str, Any], str]]] = {}
    for code, at, scores, band in _series(partner):
        grouped.setdefault(code, []).append((at, scores, band))
    for code, rows in grouped.items():
        try:
            inst = psychometrics.get_instrument(code)
        except psychometrics.ScoringError:
            continue
        if inst.primary is None:
            continue
        own = [
            OwnScore(n + 1, at, scores[inst.primary], band)
            for n, (at, scores, band) in enumerate(
                r for r in rows if r[1].get(inst.primary) is not None
            )
        ]
        if not own:
            continue
        line = charts.PartnerLine(_("You"), [(s.session, s.score) for s in own])
        alt = _(
            "Line chart of your %(questionnaire)s scores by check-in: %(first)s at the first,"
            " %(latest)s at the latest. Values in the table."
        ) % {
            "questionnaire": inst.name,
            "first": figure(own[0].score, 2),
            "latest": figure(own[-1].score, 2),
        }
        summary.instruments.append(
            OwnInstrument(code, inst.name, inst.interpretation, own, _chart(inst, [line]), alt)
        )
    allowed, why_not = access.couple_chart_allowed(partner)
    if not allowed:
        summary.couple_chart_withheld = why_not
        return summary
    row = MeasurementSettings.objects.filter(clinic__couples=partner.couple_id).first()
    code = row.outcome_instrument if row is not None else DEFAULT_OUTCOME_INSTRUMENT
    inst = psychometrics.get_instrument(code)
    if inst.primary is None:
        return summary
    lines = []
    for member in Partner.objects.filter(couple_id=partner.couple_id).order_by("role"):
        points = [
            (n + 1, scores[inst.primary])
            for n, (_code, _at, scores, _band) in enumerate(
                r for r in _series(member, code) if r[2].get(inst.primary) is not None
            )
        ]
        name = _("You") if member.pk == partner.pk else member.display_name
        lines.append(charts.PartnerLine(name, points))
    summary.couple_chart = _chart(inst, lines)
    values = [
        _("%(name)s: %(first)s at the first, %(latest)s at the latest.")
        % {
            "name": line.name,
            "first": f"{line.points[0][1]:g}",
            "latest": f"{line.points[-1][1]:g}",
        }
        if line.points
        else _("%(name)s: no scores yet.") % {"name": line.name}
        for line in lines
    ]
    summary.couple_chart_alt = " ".join(
        [
            _("Line chart of both partners' %(questionnaire)s scores by check-in.")
            % {"questionnaire": inst.name},
            *values,
            _("Values in the table."),
        ]
    )
    summary.couple_table_head = [line.name for line in lines]
    by_line = [dict(line.points) for line in lines]
    checkins = sorted({n for line in lines for n, _ in line.points})
    summary.couple_table = [(n, [scores.get(n) for scores in by_line]) for n in checkins]
    return summary
