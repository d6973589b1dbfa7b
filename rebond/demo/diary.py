"""The demo's diary (rebond/diary): six weeks of synthetic entries on one case, so the
clinician's diary chart has something to show in `make run`.

Okafor & Lindqvist are offered the diary with weekly reminders. Tobi, the hurt partner, writes
most evenings: triggers often and strong at first, fewer and milder as the AIRM of Saga's
affair resolves, feeling safer and closer by the end; Saga writes a little less often, her
triggers fewer. Every entry is invented, its line says so, and a few are shared. No entry says
"not safe right now": this case has no safety storyline (Novak & Ferreira's is the demo's).
Built once: nothing is added if the case already has entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.timezone import localtime, now

from rebond.accounts.models import Clinic
from rebond.couples.models import Couple, Partner
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.diary.plan import set_diary_plan
from rebond.lib.clinic_time import clinic_time

DIARY_CASE = "Okafor & Lindqvist"
DAYS = 42  # six weeks


@dataclass(frozen=True)
class Day:
    """One synthetic entry: days before today, ratings, an optional trigger and line."""

    days_ago: int
    safe: int
    close: int
    trigger: tuple[str, int, str] | None = None  # (kind, intensity, what helped)
    line: str = ""
    shared: bool = False


def _tobi() -> list[Day]:
    """Tobi (the hurt partner): a trigger most days at first, rarer and milder later."""
    kinds = ("message", "place", "memory", "date", "partner", "media")
    helped = ("talking_together", "breathing", "reassurance", "time_out", "moving", "writing")
    days = []
    for n, days_ago in enumerate(range(DAYS, 0, -1)):
        if days_ago % 7 in (2, 5) and days_ago < 30:
            continue  # some evenings without an entry, more of them later on
        progress = (DAYS - days_ago) / DAYS  # 0 at the start, nearly 1 today
        wobble = (n * 7) % 3 - 1  # -1, 0 or 1: a deterministic day-to-day unevenness
        safe = round(3 + 4 * progress) + wobble
        close = round(3 + 3.5 * progress) + (1 if n % 4 == 0 else 0)
        triggered = n % 5 != 4 if progress < 0.5 else n % 3 == 0
        trigger = None
        if triggered:
            intensity = max(2, round(8 - 4 * progress) - wobble)
            trigger = (kinds[n % len(kinds)], intensity, helped[n % len(helped)])
        line = ""
        if n % 4 == 1:
            line = f"Synthetic demo entry {n + 1}: " + (
                "a late message brought it all back." if progress < 0.5 else "a calmer evening."
            )
        days.append(Day(days_ago, safe, close, trigger, line, shared=bool(line) and n % 8 == 1))
    return days


def _saga() -> list[Day]:
    """Saga (the partner who hurt): every other day, feeling closer as the weeks pass."""
    days = []
    for n, days_ago in enumerate(range(DAYS - 1, 0, -2)):
        progress = (DAYS - days_ago) / DAYS
        safe = round(5 + 2 * progress) + (n % 2)
        close = round(4 + 2.5 * progress) - (1 if n % 5 == 2 else 0)
        trigger = ("partner", 6 - n // 5, "time_out") if n % 4 == 0 else None
        line = f"Synthetic demo entry {n + 1}: we talked after dinner." if n % 5 == 3 else ""
        days.append(Day(days_ago, safe, close, trigger, line, shared=bool(line)))
    return days


def _evening(days_ago: int) -> datetime:
    # Written at 21:30 on their day at the clinic, a time a partner might sit down to write.
    day = localtime(now() - timedelta(days=days_ago))
    return day.replace(hour=21, minute=30, second=0, microsecond=0)


def _write(author: Partner, days: list[Day]) -> None:
    for day in days:
        at = _evening(day.days_ago)
        kind, intensity, helped = day.trigger if day.trigger else ("", None, "")
        DiaryEntry.objects.create(
            couple_id=author.couple_id,
            author=author,
            written_at=at,
            felt_safe=min(10, max(0, day.safe)),
            felt_close=min(10, max(0, day.close)),
            triggered=day.trigger is not None,
            trigger_kind=kind,
            trigger_intensity=intensity,
            helped=helped,
            line=day.line,
            shared_at=at if day.shared else None,
        )


def build_demo_diary(clinic: Clinic) -> None:
    """Offer the diary on the demo case and write its six weeks, once."""
    couple = next((c for c in Couple.objects.filter(clinic=clinic) if c.label == DIARY_CASE), None)
    if couple is None or DiaryEntry.objects.filter(couple=couple).exists():
        return
    if not DiaryPlan.objects.filter(couple=couple).exists():
        set_diary_plan(couple.primary_clinician, couple.id, True, DiaryPlan.Prompt.WEEKLY)
    partners = {p.role: p for p in couple.partners.all()}
    with clinic_time(clinic):
        _write(partners[Partner.Role.A], _tobi())
        _write(partners[Partner.Role.B], _saga())
