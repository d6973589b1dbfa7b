"""Tell clinicians by e-mail that a case team changed: whoever was added, taken off or handed
the case, and the primary clinician when a clinic admin changed their case's team.

The e-mails name the people, the case's reference and the change only: never the case's
label, its partners or a handover's note, which the clinicians read in Rebond after logging
in (SECURITY.md DP-05; the convention of rebond/emergency/tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django_tasks import task

from rebond.accounts.mail import clinic_email
from rebond.accounts.models import User
from rebond.couples.models import TeamChange

Kind = TeamChange.Kind


@dataclass(frozen=True)
class TeamMessage:
    to: User
    subject: str
    body: str


def _caseload_line() -> str:
    return f"Your caseload in Rebond: {settings.SITE_URL}{reverse('caseload')}\n"


def _for_the_person_concerned(change: TeamChange, by: str, case: str) -> TeamMessage:
    """Return the message to the clinician the change is about."""
    if change.kind == Kind.CO_THERAPIST_ADDED:
        subject = "You were added to a case team"
        text = f"{by} added you to the team of case {case} as a co-therapist.\n\n"
        text += _caseload_line()
    elif change.kind == Kind.CO_THERAPIST_REMOVED:
        subject = "You were taken off a case team"
        text = f"{by} took you off the team of case {case}: you no longer have access to it.\n"
    elif change.kind == Kind.SUPERVISOR_SET:
        subject = "You supervise a case"
        text = f"{by} made you the supervisor of case {case}.\n\n" + _caseload_line()
    elif change.kind == Kind.SUPERVISOR_REMOVED:
        subject = "You no longer supervise a case"
        text = (
            f"{by} removed you as the supervisor of case {case}: you no longer have access to it.\n"
        )
    else:
        subject = "A case was handed over to you"
        text = (
            f"{by} handed case {case} over to you: you are now its primary clinician. The"
            " handover note is on the case page, in Rebond only.\n\n" + _caseload_line()
        )
    return TeamMessage(change.clinician, subject, text)


def _for_the_primary(change: TeamChange, by: str, case: str, primary: User) -> TeamMessage:
    """Return the message to the primary clinician whose team a clinic admin changed."""
    who = change.clinician.display_name
    what = {
        Kind.CO_THERAPIST_ADDED: f"added {who} to the team of case {case} as a co-therapist",
        Kind.CO_THERAPIST_REMOVED: f"took {who} off the team of case {case}",
        Kind.SUPERVISOR_SET: f"made {who} the supervisor of case {case}",
        Kind.SUPERVISOR_REMOVED: f"removed {who} as the supervisor of case {case}",
    }[Kind(change.kind)]
    return TeamMessage(primary, "Your case team was changed", f"{by} {what}.\n")


def team_messages(change: TeamChange) -> list[TeamMessage]:
    """Return the e-mails a team change sends: never to its author or a deactivated account."""
    by = change.by.display_name
    case = f"{change.couple.reference} at {change.couple.clinic.name}"
    messages = [_for_the_person_concerned(change, by, case)]
    previous = change.previous
    if change.kind == Kind.HANDED_OVER and previous is not None:
        stays = (
            "You stay on its team as a co-therapist."
            if change.previous_stays
            else "You are no longer on its team and no longer have access to it."
        )
        messages.append(
            TeamMessage(
                previous,
                "One of your cases was handed over",
                f"{by} handed case {case} over to {change.clinician.display_name}. {stays}\n",
            )
        )
    elif change.kind == Kind.SUPERVISOR_SET and previous is not None:
        messages.append(
            TeamMessage(
                previous,
                "You no longer supervise a case",
                f"{by} made {change.clinician.display_name} the supervisor of case {case} in"
                " your place: you no longer have access to it.\n",
            )
        )
    primary = change.couple.primary_clinician
    if change.kind != Kind.HANDED_OVER and primary.pk != change.by_id:
        messages.append(_for_the_primary(change, by, case, primary))
    return [m for m in messages if m.to.pk != change.by_id and m.to.is_active]


@task()
def tell_team_change(change_id: str) -> int:
    """E-mail the clinicians a team change concerns; return how many messages were sent."""
    change = (
        TeamChange.objects.select_related(
            "couple__clinic", "couple__primary_clinician", "clinician", "previous", "by"
        )
        .filter(id=change_id)
        .first()
    )
    if change is None:
        return 0
    emails = [
        clinic_email(change.couple.clinic, m.subject, m.body, [m.to.email])
        for m in team_messages(change)
    ]
    return get_connection().send_messages(emails) or 0
