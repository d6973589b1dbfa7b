"""A case's timeline, built once: what happened in treatment, oldest first.

Two pages draw it. The therapy timeline (therapy/views.timeline) shows every lane but the
case's status; the progress charts (measurement/stages.case_events) mark the case's status
changes, EFT stage moves and AIRM steps on their time axis, by each event's short `mark`.

Scores and alerts come through the access gateway for the clinician viewing them; risk
instruments are left out, as from every couple-level view (DOMAIN 7.5). Voided sessions are
left out too.
"""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse
from django.utils.translation import gettext as _

from psychometrics.display import figure
from rebond import access
from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.therapy.diagrams import LANES, TimelineEvent
from rebond.therapy.models import AirmState, AirmTransition, EftPosition, Session, StageTransition

CASE = "case"  # The case's lifecycle status (DOMAIN 7.2): a lane of the charts, not of the page.
# Events at the same moment keep this order, then the order of their own lane.
LANE_ORDER = (CASE, *LANES)


def case_timeline(
    couple: Couple, lanes: Collection[str], *, viewer: User | None = None
) -> list[TimelineEvent]:
    """Return the couple's events in the lanes asked for, oldest first (one query a lane).

    The "score" and "alert" lanes need the clinician viewing them (`viewer`).
    """
    unknown = set(lanes) - set(LANE_ORDER)
    if unknown:
        raise ValueError(f"No such timeline lane: {', '.join(sorted(unknown))}")
    events: list[TimelineEvent] = []
    if CASE in lanes:
        statuses = dict(Couple.Status.choices)
        for transition in couple.transitions.order_by("at", "id"):
            label = str(statuses.get(transition.to_status, transition.to_status))
            events.append(TimelineEvent(transition.at, CASE, label, mark=label))
    if "session" in lanes:
        for session in Session.objects.not_voided().filter(couple=couple):
            events.append(
                TimelineEvent(
                    session.occurred_at,
                    "session",
                    f"{session} · {session.get_attendance_display()}",
                    session.clinical_purpose,
                    reverse("therapy_session", args=[couple.id, session.id]),
                )
            )
    if "stage" in lanes:
        positions = dict(EftPosition.choices)
        for move in StageTransition.objects.filter(couple=couple):
            label = str(positions.get(move.to_position, move.to_position))
            title = (_("Back to %(position)s") if move.is_regression else _("To %(position)s")) % {
                "position": label
            }
            events.append(
                TimelineEvent(move.at, "stage", title, move.reason, mark=label.split(" · ")[0])
            )
    if "airm" in lanes:
        steps = dict(AirmState.choices)
        airm = AirmTransition.objects.filter(injury__couple=couple).select_related("injury")
        for step in airm:
            label = str(steps.get(step.to_state, step.to_state))
            events.append(
                TimelineEvent(
                    step.at,
                    "airm",
                    f"{step.injury.get_subtype_display()}: {label}",
                    step.reason,
                    mark="AIRM " + label.split(" · ")[0],
                )
            )
    if "score" in lanes:
        events += _scores(couple, _viewer(viewer))
    if "alert" in lanes:
        for alert in access.alerts_for_clinician(_viewer(viewer)).filter(couple=couple):
            events.append(
                TimelineEvent(
                    alert.created_at,
                    "alert",
                    _("%(severity)s alert: %(type)s")
                    % {"severity": alert.get_severity_display(), "type": alert.get_type_display()},
                    alert.get_status_display(),
                    reverse("alert", args=[alert.id]),
                )
            )
    # A stable sort: events of one lane at the same moment stay in their lane's order.
    events.sort(key=lambda e: (e.at, LANE_ORDER.index(e.lane)))
    return events


def _viewer(viewer: User | None) -> User:
    if viewer is None:
        raise ValueError("Scores and alerts on a timeline need the clinician viewing them.")
    return viewer


def _scores(couple: Couple, viewer: User) -> list[TimelineEvent]:
    administrations = (
        access.administrations_for_clinician(viewer)
        .filter(couple=couple, is_risk=False, submission__isnull=False)
        .select_related("submission", "partner")
    )
    events = []
    for administration in administrations:
        submission = administration.submission
        total = "" if submission.total is None else f" {figure(submission.total, 2)}"
        events.append(
            TimelineEvent(
                submission.submitted_at,
                "score",
                f"{administration.instrument_code}{total} · {administration.partner.display_name}",
                administration.occasion,
            )
        )
    return events
