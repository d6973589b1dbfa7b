"""Who sees a case's team and who changes it (issue 16 item 5); who is on it is
rebond/access/membership.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.cases import couples_for_clinician, is_clinicians_case
from rebond.access.clinic import get_admin_clinic
from rebond.accounts.models import User
from rebond.couples.models import Couple

#
# Who sees a case's team, and who changes it:
#
#   viewer                                   | sees the team      | changes it
#   -----------------------------------------+--------------------+---------------------------
#   the primary clinician                    | yes (case page)    | yes
#   a co-therapist, the supervisor, an       | yes (case page)    | no (403 naming who can)
#     emergency reader                       |                    |
#   a clinic admin of the case's clinic      | yes (team page:    | yes
#     (on the case or not)                   |   names and roles) |
#   any other clinician of the clinic        | no (404)           | no (404)
#   anyone of another clinic, or inactive    | no (404)           | no (404)
#
# A clinic admin who is not on the case sees no clinical data through being an admin
# (DOMAIN 7.5): what they are given is a `CaseTeam`, which holds the case's reference and its
# people, never the Couple row (no label, status, partner or anything typed about the case).
# Access to the case itself follows the team at once: couples_for_clinician() reads the team
# on every request.


@dataclass(frozen=True)
class CaseTeam:
    """A case's team as anyone who may see it is shown it: its reference and its people."""

    couple_id: uuid.UUID
    clinic_id: uuid.UUID
    reference: str
    primary: User
    co_therapists: tuple[User, ...]
    supervisor: User | None
    # The viewer's standing: works on the case (and so may open it), may change the team.
    viewer_on_case: bool
    viewer_may_change: bool

    @property
    def members(self) -> list[User]:
        """Return everyone on the team: primary, co-therapists, supervisor."""
        people = [self.primary, *self.co_therapists]
        return [*people, self.supervisor] if self.supervisor is not None else people


class TeamChangeRefused(PermissionDenied):
    """A clinician on the case (not its primary) tried to change its team: 403, naming who can.

    Not a 404: they see the team on the case page already, and need to know whom to ask.
    """

    def __init__(self, primary: User) -> None:
        super().__init__(
            _("Only the case's primary clinician or a clinic admin can change its team.")
        )
        self.primary = primary


# The columns a team is built from: never the label or anything else typed about the case.
_TEAM_COLUMNS = ("id", "clinic", "primary_clinician", "supervisor")


def may_change_team(user: User, couple: Couple) -> bool:
    """Return whether the user may change this case's team: its primary or a clinic admin."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None or clinic_id != couple.clinic_id:
        return False
    if user.is_clinic_admin:
        return True
    return couple.primary_clinician_id == user.pk


def _team_couples(clinic_id: uuid.UUID) -> QuerySet[Couple]:
    return (
        Couple.objects.filter(clinic_id=clinic_id)
        .only(*_TEAM_COLUMNS)
        .select_related("primary_clinician", "supervisor")
        .prefetch_related("co_clinicians")
    )


def _team(couple: Couple, viewer: User, *, on_case: bool) -> CaseTeam:
    return CaseTeam(
        couple_id=couple.id,
        clinic_id=couple.clinic_id,
        reference=couple.reference,
        primary=couple.primary_clinician,
        co_therapists=tuple(sorted(couple.co_clinicians.all(), key=lambda u: u.display_name)),
        supervisor=couple.supervisor,
        viewer_on_case=on_case,
        viewer_may_change=may_change_team(viewer, couple),
    )


def get_case_team(user: User, couple_id: uuid.UUID | str) -> CaseTeam:
    """Return the team of a case the user is on or administers, or raise Http404."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        raise Http404("No such case.")
    couple = get_or_404(_team_couples(clinic_id), couple_id)
    on_case = is_clinicians_case(user, couple.id)
    if not on_case and not user.is_clinic_admin:
        raise Http404("No such case.")
    return _team(couple, user, on_case=on_case)


def get_couple_for_team_change(user: User, couple_id: uuid.UUID | str) -> Couple:
    """Return the case whose team the user is about to change, locked until the transaction
    ends (two changes of one team run one after the other).

    Raises Http404 for whoever may not see the team, TeamChangeRefused for a clinician on the
    case who may not change it. Call inside a transaction.
    """
    team = get_case_team(user, couple_id)
    # FOR NO KEY UPDATE: it does not block the key-share locks that PostgreSQL's deferred
    # foreign-key checks take at commit. A plain FOR UPDATE would deadlock with a transaction
    # that holds the audit chain and inserts a row of this case (a partner's submission and
    # its alert) while this one waits for the chain.
    couples = Couple.objects.select_for_update(no_key=True).only(*_TEAM_COLUMNS)
    couple = couples.get(id=team.couple_id)
    if not may_change_team(user, couple):
        raise TeamChangeRefused(team.primary)
    return couple


def case_teams_for_admin(user: User) -> list[CaseTeam]:
    """Return the teams of the clinic's active cases, for its clinic admin (SettingsRefused:
    403 naming the clinic admins for another clinician of the clinic; 404 without a clinic)."""
    clinic = get_admin_clinic(user)
    couples = list(_team_couples(clinic.id).exclude(status__in=Couple.INACTIVE_STATUSES))
    on_case = set(
        couples_for_clinician(user)
        .filter(id__in=[c.id for c in couples])
        .values_list("id", flat=True)
    )
    return [_team(c, user, on_case=c.id in on_case) for c in couples]
