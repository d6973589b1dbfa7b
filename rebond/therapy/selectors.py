"""Read-side queries of the therapy process, all scoped through `rebond.access`.

Every clinician fetch starts from `access.couples_for_clinician` (clinic first, then the case
team), so a session, note or AIRM track of another case or another clinic is a 404, exactly
like a row that does not exist. No function here takes a Partner: nothing of the therapy
process is ever shown to a partner (DOMAIN 7.5: stage progress, marker ratings, process notes,
the session's clinical purpose are clinician-only).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from rebond import access
from rebond.accounts.models import User
from rebond.couples.models import Couple, Injury
from rebond.therapy.models import (
    STAGE_NAMES,
    AirmProgress,
    EftPosition,
    MarkerObservation,
    Note,
    Session,
    StageProgress,
    TherapySettings,
)

M = TypeVar("M", bound=Model)


def _get_or_404(queryset: QuerySet[M], object_id: uuid.UUID | str) -> M:
    try:
        return queryset.get(id=object_id)
    except (ObjectDoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc


def sessions_for_clinician(user: User) -> QuerySet[Session]:
    """Return the sessions of the couples the clinician works on."""
    return Session.objects.filter(couple__in=access.couples_for_clinician(user))


def get_session_for_clinician(user: User, session_id: uuid.UUID | str) -> Session:
    """Return one session of a couple the clinician works on, or raise Http404."""
    return _get_or_404(sessions_for_clinician(user).select_related("couple"), session_id)


def notes_for_clinician(user: User) -> QuerySet[Note]:
    """Return the notes of the couples the clinician works on."""
    return Note.objects.filter(couple__in=access.couples_for_clinician(user))


def get_note_for_clinician(user: User, note_id: uuid.UUID | str) -> Note:
    """Return one note of a couple the clinician works on, or raise Http404."""
    return _get_or_404(notes_for_clinician(user).select_related("couple"), note_id)


def attachment_injuries(couple: Couple) -> QuerySet[Injury]:
    """Return the couple's injuries formulated as attachment injuries (the AIRM candidates).

    The caller has fetched `couple` through the access gateway.
    """
    # A voided injury was recorded by mistake: it has no AIRM track to follow.
    return couple.injuries.filter(is_attachment_injury=True, voided_at=None).order_by("created_at")


def observations_for_couple(couple: Couple) -> QuerySet[MarkerObservation]:
    """Return every marker rating of the couple's sessions not voided, oldest first."""
    return MarkerObservation.objects.filter(
        session__couple=couple, session__voided_at__isnull=True
    ).select_related("marker", "partner", "injury", "session")


def latest_ratings(
    couple: Couple, codes: Iterable[str], injury: Injury | None = None
) -> dict[tuple[str, uuid.UUID | None], MarkerObservation]:
    """Return the newest rating of each marker, by (marker code, partner id or None)."""
    observations = observations_for_couple(couple).filter(marker__code__in=list(codes))
    if injury is not None:
        observations = observations.filter(injury=injury)
    latest: dict[tuple[str, uuid.UUID | None], MarkerObservation] = {}
    for observation in observations.order_by("session__occurred_at", "id"):
        latest[(observation.marker.code, observation.partner_id)] = observation
    return latest


def stage_progress(couple: Couple) -> StageProgress | None:
    """Return the couple's EFT progress, or None before any is recorded."""
    return StageProgress.objects.filter(couple=couple).first()


def is_in_stage_three(couple: Couple) -> bool:
    """Return whether the couple is recorded in EFT Stage 3 (the guard for ending therapy)."""
    progress = stage_progress(couple)
    return progress is not None and progress.stage == 3


@dataclass(frozen=True)
class CurrentStage:
    """What a caseload row shows of a couple's EFT progress."""

    stage: int
    position: str
    label: str  # e.g. "Stage 2 · Restructuring the bond"
    step_label: str  # e.g. "Step 5 · Withdrawer re-engagement: disowned needs"


def current_stages(couples: Iterable[Couple]) -> dict[uuid.UUID, CurrentStage]:
    """Return each couple's current EFT stage, by couple id, in one query.

    For the caseload (rebond/couples): pass the couples already fetched through the access
    gateway; couples with no stage recorded yet are absent from the result. The query count
    is constant whatever the number of couples.
    """
    ids = [couple.id for couple in couples]
    result: dict[uuid.UUID, CurrentStage] = {}
    for couple_id, position in StageProgress.objects.filter(couple_id__in=ids).values_list(
        "couple_id", "position"
    ):
        progress = StageProgress(position=position)
        result[couple_id] = CurrentStage(
            stage=progress.stage,
            position=position,
            label=str(STAGE_NAMES[progress.stage]),
            step_label=str(EftPosition(position).label),
        )
    return result


def airm_tracks(couple: Couple) -> list[tuple[Injury, AirmProgress | None]]:
    """Return each attachment injury of the couple with its AIRM track (None before a start)."""
    injuries = list(attachment_injuries(couple).select_related("hurt_partner", "hurtful_partner"))
    tracks = {track.injury_id: track for track in AirmProgress.objects.filter(injury__in=injuries)}
    return [(injury, tracks.get(injury.id)) for injury in injuries]


def stall_threshold(clinic_id: uuid.UUID) -> int:
    """Return the clinic's number of sessions without AIRM progress that flags a stall."""
    setting = TherapySettings.objects.filter(clinic_id=clinic_id).first()
    if setting is None:
        return TherapySettings.DEFAULT_AIRM_STALL_SESSIONS
    return setting.airm_stall_sessions
