"""Builders for the clinician-side diary tests: entries written straight into the table.

The partner's own action (rebond/diary/actions.py, built beside this) is the way entries are
written in use; these tests need only rows to read, at chosen times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.timezone import now

from rebond.couples.models import Partner
from rebond.diary.models import DiaryEntry


def write_entry(
    author: Partner,
    *,
    safe: int = 5,
    close: int = 5,
    trigger: tuple[str, int] | None = None,
    helped: str = "",
    line: str = "",
    days_ago: float = 0,
    at: datetime | None = None,
    shared: bool = False,
    not_safe_now: bool = False,
) -> DiaryEntry:
    """Write one entry of the author's, `days_ago` before now (or at `at`)."""
    written_at = at or now() - timedelta(days=days_ago)
    kind, intensity = trigger if trigger else ("", None)
    return DiaryEntry.objects.create(
        couple_id=author.couple_id,
        author=author,
        written_at=written_at,
        felt_safe=safe,
        felt_close=close,
        triggered=trigger is not None,
        trigger_kind=kind,
        trigger_intensity=intensity,
        helped=helped if trigger else "",
        line=line,
        not_safe_now=not_safe_now,
        shared_at=written_at if shared and not not_safe_now else None,
    )
