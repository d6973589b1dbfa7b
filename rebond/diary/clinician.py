"""What the clinician reads of a case's diary: each partner's entries, their last four weeks
in one line, their weeks for the chart, and the case's sessions and EFT/AIRM moves on the
same time axis. One loader for the case page, the diary page, its charts and the PDF.

Entries come only through rebond/access/diary.py for the clinician asking (a clinic admin
gets none); the couple must have been fetched through `access.get_couple_for_clinician`.
Days are the clinic's (rebond/lib/clinic_time.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.timezone import now

from rebond import access
from rebond.accounts.models import User
from rebond.couples.models import Couple, Partner
from rebond.diary import summary
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.diary.summary import Tally, Week
from rebond.lib.clinic_time import clinic_zone
from rebond.therapy.timeline import case_timeline


@dataclass(frozen=True)
class Mark:
    """EFT and AIRM moves of one day, numbered on the chart and listed under it."""

    number: int
    day: date
    titles: tuple[str, ...]

    @property
    def label(self) -> str:
        return "; ".join(self.titles)


@dataclass(frozen=True)
class PartnerDiary:
    partner: Partner
    entries: list[DiaryEntry]  # newest first
    last_weeks: Tally
    weeks: list[Week]

    @property
    def has_entries(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class CaseDiary:
    couple: Couple
    plan: DiaryPlan | None
    partners: list[PartnerDiary]
    mondays: list[date]
    sessions: list[date]  # days of the case's sessions inside the chart's weeks
    marks: list[Mark]

    @property
    def offered(self) -> bool:
        return self.plan is not None and self.plan.offered

    @property
    def has_entries(self) -> bool:
        return any(p.has_entries for p in self.partners)

    @property
    def summary_line(self) -> str:
        return summary.summary_line([(p.partner.display_name, p.last_weeks) for p in self.partners])

    def partner_diary(self, partner_id: object) -> PartnerDiary | None:
        return next((p for p in self.partners if p.partner.id == partner_id), None)


@dataclass(frozen=True)
class CaseSummary:
    """What the case page's "Diary" section shows: the plan and each partner's last 4 weeks."""

    plan: DiaryPlan | None
    parts: list[tuple[Partner, Tally]]
    has_entries: bool

    @property
    def offered(self) -> bool:
        return self.plan is not None and self.plan.offered

    @property
    def summary_line(self) -> str:
        return summary.summary_line([(p.display_name, t) for p, t in self.parts])


# The fields the summary reads: no encrypted line is fetched or decrypted for it.
SUMMARY_FIELDS = (
    "author",
    "written_at",
    "felt_safe",
    "felt_close",
    "triggered",
    "trigger_intensity",
)


def case_summary(user: User, couple: Couple, at: datetime | None = None) -> CaseSummary:
    """Return the case page's diary summary (three queries: entries, partners, plan)."""
    at = at or now()
    entries = list(access.diary_entries_of_case(user, couple).only(*SUMMARY_FIELDS))
    parts = [
        (
            partner,
            summary.tally(summary.recent([e for e in entries if e.author_id == partner.id], at)),
        )
        for partner in sorted(couple.partners.all(), key=lambda p: p.role)
    ]
    plan = DiaryPlan.objects.filter(couple=couple).first()
    return CaseSummary(plan, parts, bool(entries))


def case_diary(
    user: User, couple: Couple, at: datetime | None = None, *, with_lines: bool = True
) -> CaseDiary:
    """Return the case's diary as the clinician on the case reads it. A chart draws numbers
    only: `with_lines=False` leaves the partners' own words unread (not even decrypted)."""
    at = at or now()
    zone = clinic_zone(couple.clinic)
    rows = access.diary_entries_of_case(user, couple).select_related("author")
    entries = list(rows if with_lines else rows.defer("line"))
    mondays = summary.chart_weeks(entries, at.astimezone(zone).date(), zone)
    first, last = mondays[0], mondays[-1]
    partners = []
    for partner in couple.partners.order_by("role"):
        own = [e for e in entries if e.author_id == partner.id]
        partners.append(
            PartnerDiary(
                partner,
                own,
                summary.tally(summary.recent(own, at)),
                summary.weekly(own, mondays, zone),
            )
        )
    sessions: list[date] = []
    moves: dict[date, list[str]] = {}
    for event in case_timeline(couple, ("session", "stage", "airm")):
        day = event.at.astimezone(zone).date()
        if not first <= summary.week_start(day) <= last:
            continue
        if event.lane == "session":
            sessions.append(day)
        else:
            moves.setdefault(day, []).append(event.title)
    marks = [
        Mark(n, day, tuple(titles)) for n, (day, titles) in enumerate(sorted(moves.items()), 1)
    ]
    plan = DiaryPlan.objects.filter(couple=couple).first()
    return CaseDiary(couple, plan, partners, mondays, sessions, marks)
