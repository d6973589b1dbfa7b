"""Use cases of a case's team (issue 16 item 5): add or remove a co-therapist, assign or
remove the supervisor, hand the case to another clinician.

Each action
1. asks the access gateway whether the actor may change this team (its primary clinician or a
   clinic admin of its clinic) and locks the case row, so two changes of one team run one
   after the other;
2. checks the clinician concerned: of the same clinic, active, enrolled, in the right role,
   and not given access by themselves (below);
3. changes the team and writes a `TeamChange` row (a handover's note is encrypted there);
4. audits in the same transaction: the actor, the action and the TeamChange's id, with the
   fields changed; never the note;
5. after commit, tells by e-mail whoever was added, removed or handed the case, and the
   primary clinician when a clinic admin changed their team: the case reference only
   (rebond/couples/tasks.py).

Access follows at once: `access.couples_for_clinician` reads the team on every request, so
there is nothing else to grant or revoke. A new primary clinician is also added to the
recipients of the case's open alerts (rebond/alerts/actions.py `address_open_alerts_to`).

Nobody gives themselves access to a case they are not on: a clinic admin off the case cannot
add themselves to its team (another admin or the primary clinician can). Otherwise an admin
could open any case alone, which emergency access refuses without a second approver.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import User
from rebond.alerts.actions import address_open_alerts_to
from rebond.couples.models import Couple, TeamChange
from rebond.lib.errors import ActionError
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls

HANDOVER_NOTE_MAX_LENGTH = 4000

# A clinician is enrolled once their second factor is set up: the last step of enrolment
# (issue 16 item 2), after which every page works for them. Until then they reach nothing,
# so a case given to them would be a case nobody can open.
ENROLLED = Q(totp_device__confirmed=True)


def _colleagues(clinic_id: uuid.UUID) -> QuerySet[User]:
    """Return the clinic's clinicians who may join a case team: active and enrolled."""
    return User.objects.filter(clinic_id=clinic_id, is_active=True).filter(ENROLLED)


def _offered(actor: User, team: access.CaseTeam) -> QuerySet[User]:
    """Return the colleagues a form may offer: never the actor when they are off the team
    (nobody gives themselves access to a case)."""
    colleagues = _colleagues(team.clinic_id)
    on_team = {member.pk for member in team.members}
    if actor.pk not in on_team:
        colleagues = colleagues.exclude(pk=actor.pk)
    return colleagues.order_by("display_name")


@dataclass(frozen=True)
class Candidates:
    """Who the team's forms offer, read in one query."""

    co_therapists: list[User]
    supervisors: list[User]
    new_primaries: list[User]


def candidates(actor: User, team: access.CaseTeam) -> Candidates:
    """Return who may be offered for each change of the team:

    - a co-therapist: therapists of the clinic not on the team;
    - the supervisor: clinicians with the supervisor role not on the team;
    - the new primary: therapists of the clinic, its co-therapists too.
    """
    colleagues = list(_offered(actor, team))
    on_team = {member.pk for member in team.members}
    not_primary = {team.primary.pk} | ({team.supervisor.pk} if team.supervisor else set())
    return Candidates(
        co_therapists=[c for c in colleagues if c.is_therapist and c.pk not in on_team],
        supervisors=[c for c in colleagues if c.is_supervisor and c.pk not in on_team],
        new_primaries=[c for c in colleagues if c.is_therapist and c.pk not in not_primary],
    )


def team_history(team: access.CaseTeam) -> list[TeamChange]:
    """Return the team's changes, newest first; a handover's note only for those on the case
    (a clinic admin off the case does not even load it)."""
    changes = TeamChange.objects.filter(couple_id=team.couple_id).select_related(
        "clinician", "previous", "by"
    )
    if not team.viewer_on_case:
        changes = changes.defer("note")
    return list(changes.order_by("-at"))


# --- Checking the clinician concerned ---------------------------------------------------------


def _clinician_of_clinic(couple: Couple, clinician_id: uuid.UUID | str, field: str) -> User:
    """Return the clinic's clinician with this id; any other id (another clinic's clinician,
    no one at all, not an id) gets the same answer, so ids cannot be probed."""
    try:
        clinician = User.objects.filter(clinic_id=couple.clinic_id, id=clinician_id).first()
    except ValidationError:
        clinician = None
    if clinician is None:
        raise ActionError(
            _("No such clinician."), {field: [_("Choose a clinician of this clinic.")]}
        )
    return clinician


def _check_joining(actor: User, couple: Couple, clinician: User, field: str, *, role: str) -> None:
    """Refuse, with a message saying why, a clinician who may not join the team in `role`."""
    name = clinician.display_name
    primary, co, supervisor = access.team_ids(couple)
    problem = ""
    if not clinician.is_active:
        problem = _("%(name)s is deactivated: only active clinicians can join a case team.")
    elif not _colleagues(couple.clinic_id).filter(pk=clinician.pk).exists():
        problem = _(
            "%(name)s has not finished enrolling (password and second factor) yet: they can"
            " join a case team once they have."
        )
    elif role == "supervisor" and not clinician.is_supervisor:
        problem = _(
            "%(name)s does not have the supervisor role; a clinic admin can give it to them."
        )
    elif role != "supervisor" and not clinician.is_therapist:
        problem = _(
            "%(name)s does not have the therapist role; a clinic admin can give it to them."
        )
    elif clinician.pk == primary:
        problem = _("%(name)s is already this case's primary clinician.")
    elif clinician.pk == supervisor:
        problem = _("%(name)s already supervises this case.")
    elif clinician.pk in co and role != "primary":
        problem = _("%(name)s is already a co-therapist on this case.")
    elif clinician.pk == actor.pk and not access.works_on_case(actor, couple):
        problem = _(
            "You are not on this case, so you cannot add yourself to its team: ask its"
            " primary clinician or another clinic admin."
        )
    if problem:
        problem = problem % {"name": name}  # the one with no name is left as it is
        raise ActionError(problem, {field: [problem]})


def _record(
    actor: User,
    couple: Couple,
    kind: TeamChange.Kind,
    clinician: User,
    *,
    fields: list[str],
    previous: User | None = None,
    previous_stays: bool = False,
    note: str = "",
) -> TeamChange:
    change = TeamChange.objects.create(
        couple=couple,
        kind=kind,
        clinician=clinician,
        previous=previous,
        previous_stays=previous_stays,
        note=note,
        by=actor,
    )
    audit.log(
        actor=actor,
        action=f"couples.team.{kind}",
        obj=change,
        clinic_id=couple.clinic_id,
        fields=fields,
    )
    from rebond.couples.tasks import tell_team_change

    transaction.on_commit(partial(tell_team_change.enqueue, str(change.id)))
    return change


# --- The actions ------------------------------------------------------------------------------


@transaction.atomic
def add_co_therapist(
    actor: User, couple_id: uuid.UUID | str, clinician_id: uuid.UUID | str
) -> TeamChange:
    """Add a therapist of the clinic to the case as a co-therapist: they can open it at once."""
    couple = access.get_couple_for_team_change(actor, couple_id)
    clinician = _clinician_of_clinic(couple, clinician_id, "clinician")
    _check_joining(actor, couple, clinician, "clinician", role="co_therapist")
    couple.co_clinicians.add(clinician)
    return _record(
        actor, couple, TeamChange.Kind.CO_THERAPIST_ADDED, clinician, fields=["co_clinicians"]
    )


@transaction.atomic
def remove_co_therapist(
    actor: User, couple_id: uuid.UUID | str, clinician_id: uuid.UUID | str
) -> TeamChange:
    """Take a co-therapist off the case: their next request to it is refused."""
    couple = access.get_couple_for_team_change(actor, couple_id)
    clinician = _clinician_of_clinic(couple, clinician_id, "clinician")
    if not couple.co_clinicians.filter(pk=clinician.pk).exists():
        message = _("%(name)s is not a co-therapist on this case.") % {
            "name": clinician.display_name
        }
        raise ActionError(message, {"clinician": [message]})
    couple.co_clinicians.remove(clinician)
    return _record(
        actor, couple, TeamChange.Kind.CO_THERAPIST_REMOVED, clinician, fields=["co_clinicians"]
    )


@transaction.atomic
def set_supervisor(
    actor: User, couple_id: uuid.UUID | str, clinician_id: uuid.UUID | str
) -> TeamChange:
    """Assign the case's supervisor, replacing the one before (who loses access at once)."""
    couple = access.get_couple_for_team_change(actor, couple_id)
    clinician = _clinician_of_clinic(couple, clinician_id, "supervisor")
    _check_joining(actor, couple, clinician, "supervisor", role="supervisor")
    previous = couple.supervisor
    couple.supervisor = clinician
    couple.save(update_fields=["supervisor", "updated_at"])
    return _record(
        actor,
        couple,
        TeamChange.Kind.SUPERVISOR_SET,
        clinician,
        fields=["supervisor"],
        previous=previous,
    )


@transaction.atomic
def remove_supervisor(actor: User, couple_id: uuid.UUID | str) -> TeamChange:
    """Leave the case without a supervisor: the one it had loses access at once."""
    couple = access.get_couple_for_team_change(actor, couple_id)
    previous = couple.supervisor
    if previous is None:
        raise ActionError(_("This case has no supervisor to remove."))
    couple.supervisor = None
    couple.save(update_fields=["supervisor", "updated_at"])
    return _record(
        actor, couple, TeamChange.Kind.SUPERVISOR_REMOVED, previous, fields=["supervisor"]
    )


@transaction.atomic
def hand_over(
    actor: User,
    couple_id: uuid.UUID | str,
    new_primary_id: uuid.UUID | str,
    *,
    note: str,
    previous_stays: bool,
) -> TeamChange:
    """Give the case to another clinician, with a note for them.

    1. The new primary is a therapist of the clinic, active and enrolled; a co-therapist of
       the case may be promoted (they leave the co-therapists).
    2. The old primary stays on as a co-therapist or leaves the team, as the form says; a
       deactivated one can only leave.
    3. The new primary becomes a recipient of the case's open alerts.
    """
    couple = access.get_couple_for_team_change(actor, couple_id)
    new_primary = _clinician_of_clinic(couple, new_primary_id, "new_primary")
    errors: dict[str, list[str]] = {}
    try:
        _check_joining(actor, couple, new_primary, "new_primary", role="primary")
    except ActionError as error:
        errors.update(error.errors)
    note = note.strip()
    name = new_primary.display_name
    if not note:
        errors["note"] = [
            _("Write a handover note for %(name)s: what they need to take it on.") % {"name": name}
        ]
    elif len(note) > HANDOVER_NOTE_MAX_LENGTH:
        errors["note"] = [
            _("Use at most %(limit)s characters.") % {"limit": HANDOVER_NOTE_MAX_LENGTH}
        ]
    elif has_bidi_controls(note):
        errors["note"] = [BIDI_MESSAGE]
    previous = couple.primary_clinician
    if previous_stays and not previous.is_active:
        errors["previous_stays"] = [
            _("%(name)s is deactivated and cannot stay on the team.")
            % {"name": previous.display_name}
        ]
    if errors:
        raise ActionError(_("The case was not handed over."), errors)
    couple.co_clinicians.remove(new_primary)
    if previous_stays:
        couple.co_clinicians.add(previous)
    couple.primary_clinician = new_primary
    couple.save(update_fields=["primary_clinician", "updated_at"])
    change = _record(
        actor,
        couple,
        TeamChange.Kind.HANDED_OVER,
        new_primary,
        fields=["primary_clinician", "co_clinicians", "note"],
        previous=previous,
        previous_stays=previous_stays,
        note=note,
    )
    # Only now, with the audit chain's lock held (by _record's entry): an alert being raised
    # at this moment either committed before, and is found here, or reads the new team after
    # this handover commits (rebond/alerts/actions.py write_alert).
    address_open_alerts_to(couple, new_primary, by=actor)
    return change
