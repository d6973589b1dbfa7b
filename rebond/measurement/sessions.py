"""Which therapy session a score belongs to, so that charts, tables and signals count sessions
the way the case timeline does (`therapy.Session.number`, DOMAIN 7.1).

A score counts as the latest held conjoint session on or before its day, with half a day's
grace (a check-in filled in on the morning of session 3 belongs to session 3); a score from
before the first session is session 0, intake. A couple with no conjoint session recorded
yet has no therapy clock: its charts count check-ins instead and say so on the axis.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy

from rebond.therapy.models import Session

GRACE = timedelta(hours=12)
# Translators: a chart's x axis. Keep the note in brackets after " (": the part before it is
# also used alone, e.g. "line chart of ... by therapy session".
THERAPY_AXIS: str = gettext_lazy("Therapy session (0 = before session 1)")  # type: ignore[assignment]
# Translators: a chart's x axis. Keep the note in brackets after " (".
CHECKIN_AXIS: str = gettext_lazy(  # type: ignore[assignment]
    "Check-in (0 = intake; no therapy sessions recorded)"
)


@dataclass(frozen=True)
class SessionClock:
    """A couple's held conjoint sessions: their days and numbers, in order."""

    days: tuple[datetime, ...]
    numbers: tuple[int, ...]

    def session_at(self, at: datetime) -> int:
        """Return the number of the session a score given at `at` belongs to (0 = intake)."""
        index = bisect.bisect_right(self.days, at + GRACE) - 1
        return self.numbers[index] if index >= 0 else 0

    def position_of(self, at: datetime) -> float:
        """Return where an event at `at` sits on the axis: halfway after the session before it."""
        index = bisect.bisect_right(self.days, at)
        return (self.numbers[index - 1] if index else 0) + 0.5


def therapy_clocks(couple_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SessionClock]:
    """Return the clock of each couple that has held conjoint sessions (one query)."""
    held = (Session.Attendance.HELD, Session.Attendance.PARTLY)
    rows = (
        Session.objects.not_voided()
        .filter(
            couple_id__in=list(couple_ids),
            kind=Session.Kind.CONJOINT,
            number__isnull=False,
            attendance__in=held,
        )
        .order_by("occurred_at", "created_at")
        .values_list("couple_id", "occurred_at", "number")
    )
    sessions: dict[uuid.UUID, list[tuple[datetime, int]]] = defaultdict(list)
    for couple_id, occurred_at, number in rows:
        if number is not None:  # filtered in SQL; narrows the type
            sessions[couple_id].append((occurred_at, number))
    return {
        couple_id: SessionClock(tuple(at for at, _ in held_), tuple(n for _, n in held_))
        for couple_id, held_ in sessions.items()
    }
