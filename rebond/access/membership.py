"""Who is on a case: its primary clinician, its co-therapists and its supervisor.

The one definition of a case's team. The gateway's filter (`on_case_filter`), the people an
alert goes to (`case_clinicians`), the clinicians told of an emergency grant and the role the
caseload shows are all read from here, so that they cannot disagree. Whoever holds a live
emergency grant reaches the case (rebond/access/cases.py) but is not on its team.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet

from rebond.accounts.models import User
from rebond.couples.models import Couple


class TeamRole(StrEnum):
    PRIMARY = "primary"
    CO_THERAPIST = "co_therapist"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class TeamMember:
    clinician: User
    role: TeamRole


def treating_filter(user: User) -> Q:
    """Return the condition a Couple meets when the user treats it: primary or co-therapist."""
    return Q(primary_clinician=user) | Q(co_clinicians=user)


def on_case_filter(user: User) -> Q:
    """Return the condition a Couple meets when the user is on its team (any role)."""
    return treating_filter(user) | Q(supervisor=user)


def cases_treated_by(user: User) -> QuerySet[Couple]:
    """Return the cases of the user's clinic that they treat (primary or co-therapist), open or
    closed, active user or not: what a staff change would leave behind (rebond/staff/rules.py).
    Not a clinician's view of their cases (that is `access.couples_for_clinician`)."""
    if user.clinic_id is None:
        return Couple.objects.none()
    ids = Couple.objects.filter(clinic_id=user.clinic_id).filter(treating_filter(user)).values("id")
    return Couple.objects.filter(clinic_id=user.clinic_id, id__in=ids)


def treating_clinicians(couple: Couple) -> list[User]:
    """Return the clinicians who treat the case (primary and co-therapists, not the
    supervisor), inactive ones included; the primary first."""
    return [couple.primary_clinician, *couple.co_clinicians.all()]


def case_team(couple: Couple) -> list[TeamMember]:
    """Return everyone the case names on its team, with their role: primary, co-therapists,
    supervisor. Inactive clinicians included: callers choose whom they write to.

    Select `primary_clinician` and `supervisor` with the couple (and prefetch `co_clinicians`)
    when reading many cases: this reads what the couple row already holds.
    """
    primary, *co_therapists = treating_clinicians(couple)
    members = [TeamMember(primary, TeamRole.PRIMARY)]
    members += [TeamMember(c, TeamRole.CO_THERAPIST) for c in co_therapists]
    if couple.supervisor is not None:
        members.append(TeamMember(couple.supervisor, TeamRole.SUPERVISOR))
    return members


def team_ids(couple: Couple) -> tuple[uuid.UUID, set[uuid.UUID], uuid.UUID | None]:
    """Return the ids of the case's primary clinician, co-therapists and supervisor, without
    loading the clinicians (a team change checks who is where)."""
    co_therapists = set(couple.co_clinicians.values_list("pk", flat=True))
    return couple.primary_clinician_id, co_therapists, couple.supervisor_id


def case_clinicians(couple: Couple) -> list[User]:
    """Return the clinicians an alert on this case goes to: active, of the case's clinic, each
    once; never a partner, never outsiders."""
    unique = {m.clinician.pk: m.clinician for m in case_team(couple) if m.clinician.is_active}
    return [person for person in unique.values() if person.clinic_id == couple.clinic_id]


def works_on_case(user: User, couple: Couple) -> bool:
    """Return whether the clinician is on the case: primary, co-clinician or its supervisor."""
    return (
        couple.primary_clinician_id == user.pk
        or couple.supervisor_id == user.pk
        or couple.co_clinicians.filter(pk=user.pk).exists()
    )


def roles_on_cases(user: User, couples: Iterable[Couple]) -> dict[uuid.UUID, TeamRole]:
    """Return the user's role on each of these cases they are on (primary first, then
    co-therapist, then supervisor), in one query whatever the number of cases."""
    couples = list(couples)
    co_therapist_on = set(
        Couple.co_clinicians.through.objects.filter(
            user_id=user.pk, couple_id__in=[c.id for c in couples]
        ).values_list("couple_id", flat=True)
    )
    roles: dict[uuid.UUID, TeamRole] = {}
    for couple in couples:
        if couple.primary_clinician_id == user.pk:
            roles[couple.id] = TeamRole.PRIMARY
        elif couple.id in co_therapist_on:
            roles[couple.id] = TeamRole.CO_THERAPIST
        elif couple.supervisor_id == user.pk:
            roles[couple.id] = TeamRole.SUPERVISOR
    return roles
