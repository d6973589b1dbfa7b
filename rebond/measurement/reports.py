"""PDF reports: the clinician's progress report and the partner's own summary.

Both are Django templates (measurement/pdf/) laid out by WeasyPrint into tagged PDF/UA-1
(rebond/lib/pdf.py): headings, paragraphs and tables with header cells are in the structure
tree in reading order, the document language and title are set, and text wraps by its measured
width. Charts are the same matplotlib drawings as on the pages (`plotting.draw`), written to
SVG in memory and embedded as images whose alternative text says, from the chart's own data,
what it shows. Their text stays text, so it can be read and searched like the rest. Dates are
the clinic's (rebond/lib/clinic_time.py), whoever asks and from wherever the report is made.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from psychometrics.display import figure
from rebond.couples.models import Partner
from rebond.diary.charts import KEY
from rebond.diary.clinician import CaseDiary, PartnerDiary
from rebond.diary.summary import NOT_A_MEASURE, one_decimal, tally_words
from rebond.lib.clinic_time import clinic_time
from rebond.lib.pdf import render_pdf
from rebond.measurement import charts, plotting
from rebond.measurement.progress import CoupleProgress, InstrumentProgress, category_label
from rebond.measurement.summary import ClientSummary
from rebond.measurement.templatetags.measurement import SIGNAL_WORDS, change_since_intake


@dataclass(frozen=True)
class ReportChart:
    """A chart as a report embeds it: the SVG as a data: URI, its alternative text, its key."""

    title: str
    src: str
    alt: str
    key: str = ""


@dataclass(frozen=True)
class ScoreRow:
    """One row of a scores table: the measure, one cell per partner, and a note."""

    measure: str
    cells: list[str]
    note: str = ""


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _chart(data: charts.ChartData, note: str = "") -> ReportChart:
    """Embed a chart; `note` follows its key (the band's source, or that there is none)."""
    key = " ".join(text for text in (charts.line_key(data), note) if text)
    return ReportChart(data.title, _data_uri(plotting.svg(data)), charts.alt_text(data), key)


def _date(at: datetime) -> str:
    return date_format(localtime(at), "d M Y")


def _day(day: date) -> str:
    return date_format(day, "d M Y")


def clinician_report(
    progress: CoupleProgress, generated_by: str, at: datetime, diary: CaseDiary | None = None
) -> bytes:
    """Return the clinician's progress report: the summary and scores, the charts, then the
    partners' diary when the case has one (clinician only: never in a partner's).

    In the active language: the clinician's, whose request asks for it.
    """
    with clinic_time(progress.couple.clinic):
        context = _clinician_context(progress, generated_by, at)
        if diary is not None and diary.has_entries:
            context["diary"] = _diary_context(diary)
        return render_pdf("measurement/pdf/progress_report.html", context)


def _clinician_context(
    progress: CoupleProgress, generated_by: str, at: datetime
) -> dict[str, object]:
    couple = progress.couple
    outcome = progress.outcome
    signal: dict[str, object] | None = None
    if outcome is not None and outcome.couple_track is not None and outcome.tracks is not None:
        partners = []
        for partner, track, category in zip(
            progress.partners, outcome.tracks, outcome.categories, strict=True
        ):
            parts = [
                _("%(name)s: %(signal)s")
                % {"name": partner.display_name, "signal": SIGNAL_WORDS[track.signal]}
            ]
            if track.baseline is not None and track.score is not None:
                parts.append(
                    _("intake %(intake)s, latest %(latest)s (change %(change)s)")
                    % {
                        "intake": figure(track.baseline, 2),
                        "latest": figure(track.score, 2),
                        "change": change_since_intake(track),
                    }
                )
            if track.band is not None:
                low, high = (figure(edge, 2) for edge in track.band)
                parts.append(
                    _("reliable-change band %(low)s to %(high)s") % {"low": low, "high": high}
                )
            else:
                parts.append(_("no published reliable-change figure, no band"))
            parts.append(
                _("change since intake: %(category)s") % {"category": category_label(category)}
            )
            partners.append("; ".join(parts) + ".")
        signal = {
            "heading": _("Signal on %(questionnaire)s: %(signal)s")
            % {
                "questionnaire": outcome.instrument.code,
                "signal": SIGNAL_WORDS[outcome.couple_track.signal],
            },
            "reasons": list(outcome.couple_track.reasons),
            "partners": partners,
        }
    latest = []
    for item in progress.instruments:
        note = ""
        gain_gap = item.discrepancy.gain_gap if item.discrepancy is not None else None
        if item.discrepancy is not None and item.discrepancy.is_notable and gain_gap is not None:
            note = _("Partners diverge (%(gap)s points apart in gains)") % {"gap": figure(gain_gap)}
        latest.append(ScoreRow(item.title, _latest_cells(progress, item), note))
    params = outcome.params if outcome is not None else None
    figures = ""
    if params is not None:
        reliable = (
            _("none")
            if params.reliable_change is None
            else _("%(figure)s points") % {"figure": figure(params.reliable_change, 2)}
        )
        divergence = (
            params.divergence_source
            if params.divergence is None
            else _("%(figure)s points (%(source)s)")
            % {"figure": figure(params.divergence, 2), "source": params.divergence_source}
        )
        cutoff = (
            _("none published")
            if params.cutoff is None
            else f"{figure(params.cutoff, 2)} ({params.cutoff_source})"
        )
        figures = _(
            "Reliable change: %(reliable)s (%(source)s). Cut-off: %(cutoff)s. Divergence:"
            " %(divergence)s. Review session: %(session)s (the clinic's practice choice, not a"
            " norm)."
        ) % {
            "reliable": reliable,
            "source": params.reliable_change_source,
            "cutoff": cutoff,
            "divergence": divergence,
            "session": progress.settings.review_session,
        }
    drawings = [i for i in progress.instruments if i is not outcome]
    if outcome is not None:
        drawings.insert(0, outcome)
    return {
        "title": _("Progress report: %(case)s") % {"case": couple.label},
        "generated": _date(at),
        "generated_by": generated_by,
        "partner_names": [p.display_name for p in progress.partners],
        "status": couple.get_status_display(),
        "signal": signal,
        "split_alliance": progress.split_alliance,
        "latest": latest,
        "settings": progress.settings,
        "figures": figures,
        "individual": [
            ScoreRow(item.title, _latest_cells(progress, item)) for item in progress.individual
        ],
        "events": [(_date(e.at), e.label) for e in progress.events[-8:]],
        "charts": [_chart(item.chart, _note(item)) for item in drawings],
        "individual_charts": [_chart(_individual_chart(i.chart)) for i in progress.individual],
    }


def _note(item: InstrumentProgress) -> str:
    """Return what a chart's key must add: the band's source, or that there is none, and an
    unverified key."""
    note = item.band_note
    if item.instrument.unverified is not None:
        note += " " + _("Scoring key not verified by Rebond: %(why)s.") % {
            "why": item.instrument.unverified
        }
    return note.strip()


def _latest_cells(progress: CoupleProgress, item: InstrumentProgress) -> list[str]:
    """Return each partner's latest score and reliable-change category, as report text."""
    return [
        f"{figure(s[-1].score, 2)} ({category_label(c)})" if s else "-"
        for s, c in zip(item.series, item.categories, strict=True)
    ]


def _individual_chart(data: charts.ChartData) -> charts.ChartData:
    """Return an individual measure's chart titled as such (clinician only, issue 15 B8)."""
    return dataclasses.replace(
        data,
        title=_("%(title)s (individual measure, clinician only)") % {"title": data.title},
    )


def _diary_context(diary: CaseDiary) -> dict[str, object]:
    """Each partner's last four weeks in words and their diary chart (numbers, no words)."""
    from rebond.diary import plotting as diary_plotting  # matplotlib, like this module

    return {
        "heading": _("Between sessions: each partner's %(diary)s") % {"diary": NOT_A_MEASURE},
        "tallies": [
            _("%(name)s, last 4 weeks: %(tally)s.")
            % {"name": part.partner.display_name, "tally": tally_words(part.last_weeks)}
            for part in diary.partners
        ],
        "key": KEY,
        "marks": " ".join(f"{m.number}: {_day(m.day)}, {m.label}." for m in diary.marks),
        "charts": [
            ReportChart(
                _("%(name)s: %(diary)s")
                % {"name": part.partner.display_name, "diary": NOT_A_MEASURE},
                _data_uri(diary_plotting.svg(diary, part)),
                diary_alt_text(diary, part),
            )
            for part in diary.partners
        ],
    }


def diary_alt_text(diary: CaseDiary, part: PartnerDiary) -> str:
    """Say what a partner's diary chart shows, week by week, from its own numbers."""
    weeks = part.weeks
    name = part.partner.display_name
    if not weeks:
        return _("%(name)s: %(diary)s. No weeks to show.") % {"name": name, "diary": NOT_A_MEASURE}
    parts = [
        _("%(name)s: %(diary)s, by week from %(first)s to %(last)s.")
        % {
            "name": name,
            "diary": NOT_A_MEASURE,
            "first": _day(weeks[0].starts_on),
            "last": _day(weeks[-1].starts_on),
        },
        _("Triggers each week: %(counts)s.")
        % {"counts": ", ".join(str(w.counts.triggers) for w in weeks)},
    ]
    for sentence, field in (
        (_("Weekly mean safety (0-10): %(values)s."), "mean_safe"),
        (_("Weekly mean closeness (0-10): %(values)s."), "mean_close"),
        (_("Weekly mean trigger intensity (0-10): %(values)s."), "mean_intensity"),
    ):
        values = ", ".join(one_decimal(getattr(w.counts, field)) for w in weeks)
        parts.append(sentence % {"values": values})
    if diary.sessions:
        parts.append(
            _("Sessions: %(days)s.") % {"days": ", ".join(_day(day) for day in diary.sessions)}
        )
    if diary.marks:
        parts.append(
            _("Numbered moves: %(numbers)s.")
            % {"numbers": ", ".join(str(m.number) for m in diary.marks)}
        )
    return " ".join(parts)


def client_report(summary: ClientSummary, at: datetime) -> bytes:
    """Return the partner's own summary as a PDF (their scores only; see summary.py).

    In the active language: the caller renders the summary and the report inside the partner's
    (`partner_language`).
    """
    with clinic_time(summary.partner.couple.clinic):
        drawings = [i.chart for i in summary.instruments]
        if summary.couple_chart is not None:
            drawings.append(summary.couple_chart)
        context = {
            "title": _("Your check-ins: %(name)s") % {"name": summary.partner.display_name},
            "prepared": _date(at),
            "instruments": [
                (item.name, item.interpretation, ", ".join(figure(s.score, 2) for s in item.scores))
                for item in summary.instruments
            ],
            "withheld": summary.couple_chart_withheld if summary.couple_chart is None else "",
            "charts": [_chart(data) for data in drawings],
        }
        return render_pdf("measurement/pdf/client_report.html", context)


def partner_language(partner: Partner) -> translation.override:
    """Return the context in which a partner's report is written: their language, else their
    clinic's default (a clinician downloads it for them, in whatever language they read)."""
    return translation.override(partner.preferred_language)
