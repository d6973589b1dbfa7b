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
from django.utils import translation
from django.utils.translation import gettext as _
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
    return (
        _("Your caseload in Rebond: %(url)s") % {"url": f"{settings.SITE_URL}{reverse('caseload')}"}
        + "\n"
    )


def _case(change: TeamChange) -> str:
    # Translators: a case in a team e-mail: its reference, then the clinic's name.
    return _("%(reference)s at %(clinic)s") % {
        "reference": change.couple.reference,
        "clinic": change.couple.clinic.name,
    }


def _for_the_person_concerned(change: TeamChange, by: str) -> TeamMessage:
    """Return the message to the clinician the change is about, in their language."""
    to = change.clinician
    with translation.override(to.preferred_language):
        names = {"by": by, "case": _case(change)}
        if change.kind == Kind.CO_THERAPIST_ADDED:
            subject = _("You were added to a case team")
            text = _("%(by)s added you to the team of case %(case)s as a co-therapist.") % names
            text += "\n\n" + _caseload_line()
        elif change.kind == Kind.CO_THERAPIST_REMOVED:
            subject = _("You were taken off a case team")
            text = (
                _("%(by)s took you off the team of case %(case)s: you no longer have access to it.")
                % names
                + "\n"
            )
        elif change.kind == Kind.SUPERVISOR_SET:
            subject = _("You supervise a case")
            text = _("%(by)s made you the supervisor of case %(case)s.") % names
            text += "\n\n" + _caseload_line()
        elif change.kind == Kind.SUPERVISOR_REMOVED:
            subject = _("You no longer supervise a case")
            text = (
                _(
                    "%(by)s removed you as the supervisor of case %(case)s: you no longer have"
                    " access to it."
                )
                % names
                + "\n"
            )
        else:
            subject = _("A case was handed over to you")
            text = (
                _(
                    "%(by)s handed case %(case)s over to you: you are now its primary clinician."
                    " The handover note is on the case page, in Rebond only."
                )
                % names
                + "\n\n"
                + _caseload_line()
            )
    return TeamMessage(to, subject, text)


def _for_the_primary(change: TeamChange, by: str, primary: User) -> TeamMessage:
    """Return the message to the primary clinician whose team a clinic admin changed."""
    with translation.override(primary.preferred_language):
        names = {"by": by, "who": change.clinician.display_name, "case": _case(change)}
        what = {
            Kind.CO_THERAPIST_ADDED: _(
                "%(by)s added %(who)s to the team of case %(case)s as a co-therapist."
            ),
            Kind.CO_THERAPIST_REMOVED: _("%(by)s took %(who)s off the team of case %(case)s."),
            Kind.SUPERVISOR_SET: _("%(by)s made %(who)s the supervisor of case %(case)s."),
            Kind.SUPERVISOR_REMOVED: _(
                "%(by)s removed %(who)s as the supervisor of case %(case)s."
            ),
        }[Kind(change.kind)]
        return TeamMessage(primary, _("Your case team was changed"), what % names + "\n")


def _for_the_previous(change: TeamChange, by: str, previous: User) -> TeamMessage | None:
    """Return the message to whoever held the role before: the primary who handed over, or
    the supervisor replaced."""
    with translation.override(previous.preferred_language):
        names = {"by": by, "who": change.clinician.display_name, "case": _case(change)}
        if change.kind == Kind.HANDED_OVER:
            text = (
                _(
                    "%(by)s handed case %(case)s over to %(who)s. You stay on its team as a"
                    " co-therapist."
                )
                if change.previous_stays
                else _(
                    "%(by)s handed case %(case)s over to %(who)s. You are no longer on its team"
                    " and no longer have access to it."
                )
            )
            return TeamMessage(
                previous, _("One of your cases was handed over"), text % names + "\n"
            )
        if change.kind == Kind.SUPERVISOR_SET:
            text = _(
                "%(by)s made %(who)s the supervisor of case %(case)s in your place: you no longer"
                " have access to it."
            )
            return TeamMessage(previous, _("You no longer supervise a case"), text % names + "\n")
    return None


def team_messages(change: TeamChange) -> list[TeamMessage]:
    """Return the e-mails a team change sends, each in its reader's language: never to its
    author or a deactivated account."""
    by = change.by.display_name
    messages = [_for_the_person_concerned(change, by)]
    previous = change.previous
    if previous is not None:
        message = _for_the_previous(change, by, previous)
        if message is not None:
            messages.append(message)
    primary = change.couple.primary_clinician
    if change.kind != Kind.HANDED_OVER and primary.pk != change.by_id:
        messages.append(_for_the_primary(change, by, primary))
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
