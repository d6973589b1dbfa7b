"""PDF reports: the clinician's progress report and the partner's own summary.

Both are A4 pages laid out with matplotlib and written by its PDF backend, so every chart is
the same vector drawing as on the page (`plotting.draw`) and no other layout library or system
library is needed. Text is set in matplotlib's bundled DejaVu Sans, embedded in the file
(Type 3, see charts.RC_PARAMS). Dates are the clinic's (rebond/lib/clinic_time.py), whoever
asks and from wherever the report is made.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap
from collections.abc import Sequence
from datetime import date, datetime

from django.utils.timezone import localtime
from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure, SubFigure

from psychometrics.display import figure
from rebond.diary.charts import KEY
from rebond.diary.clinician import CaseDiary
from rebond.diary.summary import NOT_A_MEASURE, tally_words
from rebond.lib.clinic_time import clinic_time
from rebond.measurement import charts, plotting
from rebond.measurement.progress import CoupleProgress, InstrumentProgress, category_label
from rebond.measurement.summary import ClientSummary

A4 = (8.27, 11.69)
SIGNAL_WORDS = {
    "not_on_track": "Not on track",
    "on_track": "On track",
    "not_yet": "Not yet judged",
    "no_data": "No scores yet",
    "too_early": "Too early to judge",
    "off_track": "Off track",
    "deteriorated": "Reliably worse",
}


def _lines(
    target: Figure | SubFigure,
    lines: Sequence[tuple[str, str]],
    *,
    height: float = A4[1],
    top: float = 0.97,
) -> None:
    """Write (style, text) lines from the top down; styles: h1, h2, p, small."""
    sizes = {"h1": 15, "h2": 11, "p": 9, "small": 7.5}
    y = top
    for style, text in lines:
        size = sizes[style]
        if style in ("h1", "h2") and y < top:
            y -= 6 / 72 / height  # space above a heading
        width = 110 if style == "small" else 95
        for part in textwrap.wrap(text, width) or [""]:
            target.text(
                0.06,
                y,
                part,
                fontsize=size,
                va="top",
                fontweight="bold" if style in ("h1", "h2") else "normal",
                color="#1d2a2a" if style != "small" else "#4f5d5c",
            )
            y -= (size + 4) / 72 / height * (1.5 if style == "h1" else 1.0)
        if style in ("h1", "h2"):
            y -= 4 / 72 / height


def halves(page: Figure) -> list[SubFigure]:
    """Return the top and bottom halves of a page, each to hold one chart."""
    return list(page.subfigures(2, 1).flat)  # type: ignore[union-attr]


def _date(at: datetime) -> str:
    return localtime(at).strftime("%d %b %Y")


def _pdf(pages: list[Figure], title: str) -> bytes:
    buffer = io.BytesIO()
    with (
        rc_context(charts.RC_PARAMS),
        PdfPages(
            buffer, metadata={"Title": title, "Creator": "Rebond", "CreationDate": None}
        ) as pdf,
    ):
        for page in pages:
            pdf.savefig(page)
    return buffer.getvalue()


def clinician_report(
    progress: CoupleProgress, generated_by: str, at: datetime, diary: CaseDiary | None = None
) -> bytes:
    """Return the clinician's progress report: a summary page, then the charts, two a page,
    then the partners' diary when the case has one (clinician only: never in a partner's)."""
    with rc_context(charts.RC_PARAMS), clinic_time(progress.couple.clinic):
        pages = _clinician_pages(progress, generated_by, at)
        if diary is not None and diary.has_entries:
            pages.append(_diary_page(diary))
    return _pdf(pages, "Progress report")


def _diary_page(diary: CaseDiary) -> Figure:
    """Return a page with each partner's last four weeks in words and their diary chart."""
    lines: list[tuple[str, str]] = [
        ("h2", f"Between sessions: each partner's {NOT_A_MEASURE}"),
        (
            "small",
            "The partners' own ratings (0-10) and triggers as they wrote them, averaged; "
            "nothing is compared with a norm. Private and shared entries alike.",
        ),
    ]
    lines += [
        ("p", f"{part.partner.display_name}, last 4 weeks: {tally_words(part.last_weeks)}.")
        for part in diary.partners
    ]
    lines.append(("small", KEY))
    if diary.marks:
        lines.append(
            ("small", " ".join(f"{m.number}: {_day(m.day)}, {m.label}." for m in diary.marks))
        )
    page = Figure(figsize=A4, layout="constrained")
    text, *drawings = list(page.subfigures(3, 1, height_ratios=[0.8, 1, 1]).flat)  # type: ignore[union-attr]
    _lines(text, lines, height=A4[1] * 0.8 / 2.8)
    from rebond.diary import plotting as diary_plotting  # matplotlib, like this module

    for part, target in zip(diary.partners, drawings, strict=False):
        diary_plotting.draw(target, diary, part)
    return page


def _day(day: date) -> str:
    return day.strftime("%d %b %Y")


def _clinician_pages(progress: CoupleProgress, generated_by: str, at: datetime) -> list[Figure]:
    couple, settings = progress.couple, progress.settings
    lines: list[tuple[str, str]] = [
        ("h1", f"Progress report: {couple.label}"),
        (
            "small",
            f"Confidential clinical record. Generated {_date(at)} by {generated_by}. "
            "Risk screens are not included (see the check-ins page), except PHQ-9 totals "
            "under individual measures.",
        ),
        (
            "p",
            f"Partners: {progress.partners[0].display_name} and "
            f"{progress.partners[1].display_name}. Case status: {couple.get_status_display()}.",
        ),
    ]
    outcome = progress.outcome
    if outcome is not None and outcome.couple_track is not None and outcome.tracks is not None:
        lines += [
            (
                "h2",
                f"Signal on {outcome.instrument.code}: {SIGNAL_WORDS[outcome.couple_track.signal]}",
            ),
        ]
        lines += [("p", reason) for reason in outcome.couple_track.reasons]
        for partner, track, category in zip(
            progress.partners, outcome.tracks, outcome.categories, strict=True
        ):
            lines.append(
                (
                    "p",
                    f"{partner.display_name}: {SIGNAL_WORDS[track.signal]}; latest "
                    f"{'' if track.score is None else figure(track.score, 2)}"
                    f"{'' if track.expected is None else f' (expected {track.expected:.1f})'}; "
                    f"reliable change: {category_label(category)}.",
                )
            )
    else:
        lines.append(("h2", "No outcome scores yet."))
    if progress.split_alliance:
        lines.append(("p", progress.split_alliance))
    lines.append(("h2", "Latest scores"))
    for item in progress.instruments:
        cells = _latest_cells(progress, item)
        gap = ""
        gain_gap = item.discrepancy.gain_gap if item.discrepancy is not None else None
        if item.discrepancy is not None and item.discrepancy.is_notable and gain_gap is not None:
            gap = f"; partners diverge ({figure(gain_gap)} points apart in gains)"
        lines.append(("p", f"{item.title}: {'; '.join(cells)}{gap}"))
    lines.append(("h2", "How the signal is computed"))
    params = outcome.params if outcome is not None else None
    lines.append(
        (
            "small",
            (
                "Each partner is expected to move in a straight line from their intake score "
                f"to the clinical cut-off over {settings.planned_sessions} sessions, and is "
                f"judged from session {settings.flag_from_session} (Pepping, Halford & Doss "
                "2015; Halford et al. 2012; DOMAIN 6). Off track: below the band and no "
                "reliable improvement. Not on track: either partner off track or reliably "
                "worse, or the partners diverging."
            ),
        )
    )
    if params is not None:
        lines.append(
            (
                "small",
                (
                    f"Tolerance: {params.course.tolerance if params.course else '-'} points "
                    f"({params.tolerance_source}). Divergence: {params.divergence} points "
                    f"({params.divergence_source}). Reliable change: "
                    f"{'-' if params.reliable_change is None else f'{params.reliable_change:.2f}'} "
                    f"({params.reliable_change_source}). Cut-off: {params.cutoff_source}."
                ),
            )
        )
    if progress.individual:
        lines.append(("h2", "Individual measures, clinician only"))
        lines.append(("small", "Each partner's own total; item 9 is never charted."))
        for item in progress.individual:
            lines.append(("p", f"{item.title}: {'; '.join(_latest_cells(progress, item))}"))
    if progress.events:
        lines.append(("h2", "Case events (latest eight)"))
        lines += [("p", f"{_date(e.at)}: {e.label}") for e in progress.events[-8:]]
    drawings = [i.chart for i in progress.instruments if i is not outcome]
    if outcome is not None:
        drawings.insert(0, outcome.chart)
    drawings += [_individual_chart(i.chart) for i in progress.individual]
    return _compose(lines, drawings)


def _latest_cells(progress: CoupleProgress, item: InstrumentProgress) -> list[str]:
    """Return each partner's latest score and reliable-change category, as report text."""
    return [
        f"{p.display_name} {figure(s[-1].score, 2)} ({category_label(c)})"
        if s
        else f"{p.display_name} -"
        for p, s, c in zip(progress.partners, item.series, item.categories, strict=True)
    ]


def _individual_chart(data: charts.ChartData) -> charts.ChartData:
    """Return an individual measure's chart titled as such (clinician only, issue 15 B8)."""
    return dataclasses.replace(data, title=f"{data.title} (individual measure, clinician only)")


def _compose(lines: list[tuple[str, str]], drawings: list[charts.ChartData]) -> list[Figure]:
    """Return A4 pages: the text with the first chart below it, then two charts a page."""
    first = Figure(figsize=A4, layout="constrained")
    text, chart = list(first.subfigures(2, 1, height_ratios=[1.35, 1]).flat)  # type: ignore[union-attr]
    _lines(text, lines, height=A4[1] * 1.35 / 2.35)
    if drawings:
        plotting.draw(chart, drawings[0])
    pages = [first]
    left = drawings[1:]
    while left:
        page = Figure(figsize=A4, layout="constrained")
        pair, left = left[:2], left[2:]
        for part, data in zip(halves(page), pair, strict=False):
            plotting.draw(part, data)
        pages.append(page)
    return pages


def client_report(summary: ClientSummary, at: datetime) -> bytes:
    """Return the partner's own summary as a PDF (their scores only; see summary.py)."""
    with clinic_time(summary.partner.couple.clinic):
        return _client_report(summary, at)


def _client_report(summary: ClientSummary, at: datetime) -> bytes:
    lines: list[tuple[str, str]] = [
        ("h1", f"Your check-ins: {summary.partner.display_name}"),
        ("small", f"Prepared {_date(at)}. Only your own answers are included."),
    ]
    for item in summary.instruments:
        scores = ", ".join(figure(s.score, 2) for s in item.scores)
        lines.append(("p", f"{item.name} ({item.interpretation}): {scores}."))
    if summary.couple_chart is None and summary.couple_chart_withheld:
        lines.append(("small", f"The chart of you both is {summary.couple_chart_withheld}."))
    drawings = [i.chart for i in summary.instruments]
    if summary.couple_chart is not None:
        drawings.append(summary.couple_chart)
    with rc_context(charts.RC_PARAMS):
        pages = _compose(lines, drawings)
    return _pdf(pages, "Your check-ins")
