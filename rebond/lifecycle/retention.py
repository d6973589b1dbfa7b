"""When a closed case is due for erasure under its clinic's retention policy.

A case is closed when its status is terminal (`Couple.INACTIVE_STATUSES`: closed, archived,
referred out, dropped out). It was closed at the step of its recorded history
(`CaseTransition`) that took it from an active status into a terminal one, the last such
step: a case reopened for follow-up and closed again counts from its last closing. Never
`updated_at`, which any edit moves. A case without a recorded closing step is never due.

It is due on its closing day (clinic time) plus the policy's years, and is erased on that day,
or later when the clinic set or shortened its period recently: never before the policy's
`changed_on` plus its notice period, so that the clinic's admins are always told ahead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rebond import access
from rebond.accounts.models import Clinic
from rebond.couples.models import CaseTransition, Couple
from rebond.lib.clinic_time import clinic_localtime, clinic_today
from rebond.lifecycle.models import RetentionPolicy


@dataclass(frozen=True)
class DueCase:
    couple_id: uuid.UUID
    reference: str
    closed_on: date
    due_on: date  # closing day + the policy's years
    erase_on: date  # the day the sweep erases it (never before the admins were told)

    def is_due(self, today: date) -> bool:
        return self.erase_on <= today


def add_years(day: date, years: int) -> date:
    """Return the same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def closing_times(couple_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """Return when each case last moved from an active status into a terminal one."""
    steps = (
        CaseTransition.objects.filter(couple_id__in=list(couple_ids))
        .order_by("couple_id", "at", "id")
        .values_list("couple_id", "to_status", "at")
    )
    closed: dict[uuid.UUID, datetime] = {}
    for couple_id, to_status, at in steps:
        if to_status not in Couple.INACTIVE_STATUSES:
            closed.pop(couple_id, None)  # reopened: the earlier closing no longer counts
        elif couple_id not in closed:
            closed[couple_id] = at  # the first terminal step after the last active one
    return closed


def erase_on(policy: RetentionPolicy, due_on: date) -> date:
    """Return the day a case due on `due_on` is erased: due, and announced long enough."""
    return max(due_on, policy.changed_on + timedelta(days=policy.notice_days))


def cases_coming_due(
    clinic: Clinic, policy: RetentionPolicy, today: date | None = None
) -> list[DueCase]:
    """Return the clinic's closed cases erased by the end of the notice period, soonest first.

    Empty when the clinic keeps closed cases indefinitely.
    """
    if policy.keep_years is None:
        return []
    today = today or clinic_today(clinic)
    horizon = today + timedelta(days=policy.notice_days)
    couples = {c.id: c for c in access.closed_cases_of_clinic(clinic.pk).only("id", "clinic")}
    found = []
    for couple_id, at in closing_times(couples).items():
        closed_on = clinic_localtime(clinic, at).date()
        due_on = add_years(closed_on, policy.keep_years)
        when = erase_on(policy, due_on)
        if when <= horizon:
            found.append(DueCase(couple_id, couples[couple_id].reference, closed_on, due_on, when))
    return sorted(found, key=lambda case: (case.erase_on, case.reference))


def requests_due(clinic: Clinic, policy: RetentionPolicy, today: date) -> list[uuid.UUID]:
    """Return the ids of the clinic's declined and spam consultation requests whose retention
    period has ended: decided (or, if never decided, received) that many years ago, and the
    policy announced long enough. Empty when the clinic keeps records indefinitely.

    They never became a case, so there is no case to announce; the same period applies, counted
    from the decision, and no erasure comes before the policy's notice period has passed.
    """
    if policy.keep_years is None:
        return []
    due = []
    for request_id, decided_at, created_at in access.closed_requests_of_clinic(
        clinic.pk
    ).values_list("id", "decided_at", "created_at"):
        decided_on = clinic_localtime(clinic, decided_at or created_at).date()
        if erase_on(policy, add_years(decided_on, policy.keep_years)) <= today:
            due.append(request_id)
    return due
