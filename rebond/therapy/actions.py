"""Use cases of the therapy process. Every write to a session, stage, AIRM track, cycle or
note goes through one of these verbs, which (1) fetch through the access gateway, (2) check the
guards of DOMAIN 7.3 and 7.4, (3) write, and (4) audit in the same transaction, naming fields
but never their clinical content.

Times: actions that depend on the clock take `at` (default: now), so that tests can travel in
time without patching it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rebond import access, audit
from rebond.accounts.models import User
from rebond.couples import lifecycle
from rebond.couples.models import Couple, Injury, Partner, SafetyConcern
from rebond.lib.errors import ActionError
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls
from rebond.therapy import catalogue, selectors
from rebond.therapy.models import (
    AIRM_SIDE_EXITS,
    AIRM_STEPS,
    EFT_ORDER,
    AirmProgress,
    AirmState,
    AirmTransition,
    CycleMap,
    CyclePosition,
    EftPosition,
    MarkerDefinition,
    MarkerObservation,
    Note,
    NoteAddendum,
    Session,
    StageProgress,
    StageTransition,
    TherapySettings,
    stage_of,
)

STALE = gettext_lazy(
    "Someone saved a change to this since you opened the page. Nothing was saved: reload the "
    "page to see the current version, then make your change again."
)


def _require_reason(reason: str, message: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ActionError(message, {"reason": [message]})
    return reason


def ensure_marker_catalogue() -> None:
    """Load the marker catalogue if the table is empty (a flushed test database, a new demo)."""
    if not MarkerDefinition.objects.exists():
        catalogue.load_catalogue(MarkerDefinition)


# --- Clinic settings --------------------------------------------------------------------------


@transaction.atomic
def set_stall_threshold(admin: User, sessions: int) -> TherapySettings:
    """Set after how many sessions without a step an AIRM track is flagged as stalled."""
    if not access.is_clinic_admin(admin):
        raise ActionError(_("Only a clinic admin can change the clinic's therapy settings."))
    if not 1 <= sessions <= 20:
        raise ActionError(
            _("Use a number of sessions from 1 to 20."),
            {"airm_stall_sessions": [_("Use a number of sessions from 1 to 20.")]},
        )
    setting, _created = TherapySettings.objects.get_or_create(clinic_id=admin.clinic_id)
    setting.airm_stall_sessions = sessions
    setting.save(update_fields=["airm_stall_sessions", "updated_at"])
    audit.log(
        actor=admin,
        action="therapy.settings.update",
        obj=setting,
        clinic_id=admin.clinic_id,
        fields=["airm_stall_sessions"],
    )
    return setting


# --- Sessions and marker ratings --------------------------------------------------------------


@dataclass(frozen=True)
class RatingDraft:
    marker_code: str
    rating: int
    partner_id: uuid.UUID | str | None = None
    injury_id: uuid.UUID | str | None = None
    note: str = ""


@dataclass(frozen=True)
class SessionDraft:
    kind: str = Session.Kind.CONJOINT
    occurred_at: datetime | None = None
    attendance: str = Session.Attendance.HELD
    attendee_ids: Sequence[uuid.UUID | str] = field(default_factory=tuple)
    shared_label: str = "Session"
    clinical_purpose: str = ""
    airm_injury_ids: Sequence[uuid.UUID | str] = field(default_factory=tuple)

    @classmethod
    def from_form(cls, data: Mapping[str, Any], ratings: Sequence[RatingDraft]) -> SessionDraft:
        """Return the draft of a valid SessionForm's data; the AIRM injuries are those rated."""
        return cls(
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            attendance=data["attendance"],
            attendee_ids=data["attendees"],
            shared_label=data["shared_label"],
            clinical_purpose=data["clinical_purpose"],
            airm_injury_ids=sorted({str(r.injury_id) for r in ratings if r.injury_id}),
        )


def _validate_session(
    couple: Couple, draft: SessionDraft, at: datetime
) -> tuple[dict[str, list[str]], list[Partner]]:
    errors: dict[str, list[str]] = {}
    partners = {str(p.id): p for p in couple.partners.all()}
    attendees = []
    for partner_id in draft.attendee_ids:
        if str(partner_id) not in partners:
            errors["attendees"] = [_("Choose partners of this couple.")]
        else:
            attendees.append(partners[str(partner_id)])
    if draft.kind not in Session.Kind.values:
        errors["kind"] = [_("Choose conjoint or individual.")]
    if draft.attendance not in Session.Attendance.values:
        errors["attendance"] = [_("Choose what happened.")]
    held = draft.attendance in (Session.Attendance.HELD, Session.Attendance.PARTLY)
    if draft.kind == Session.Kind.INDIVIDUAL and held and len(attendees) != 1:
        errors["attendees"] = [_("An individual session has exactly one partner.")]
    conjoint = draft.kind == Session.Kind.CONJOINT
    if conjoint and draft.attendance == Session.Attendance.HELD and len(attendees) != 2:
        errors["attendees"] = [_("Tick both partners, or record that one was absent.")]
    if conjoint and draft.attendance == Session.Attendance.PARTLY and len(attendees) != 1:
        errors["attendees"] = [_("Tick the partner who came.")]
    if draft.occurred_at is not None and draft.occurred_at > at:
        errors["occurred_at"] = [_("Record a session once it has taken place (the date is ahead).")]
    label = draft.shared_label.strip()
    if not label:
        errors["shared_label"] = [_("Give the neutral label partners may see, e.g. “Session”.")]
    elif has_bidi_controls(label):
        errors["shared_label"] = [BIDI_MESSAGE]
    elif len(label) > 80:
        errors["shared_label"] = [_("Use at most %(limit)s characters.") % {"limit": 80}]
    if len(draft.clinical_purpose.strip()) > 200:
        errors["clinical_purpose"] = [_("Use at most %(limit)s characters.") % {"limit": 200}]
    return errors, attendees


def _validate_ratings(
    couple: Couple, ratings: Sequence[RatingDraft]
) -> tuple[
    dict[str, list[str]], list[tuple[MarkerDefinition, RatingDraft, Partner | None, Injury | None]]
]:
    ensure_marker_catalogue()
    markers = {m.code: m for m in MarkerDefinition.objects.all()}
    partners = {str(p.id): p for p in couple.partners.all()}
    injuries = {str(i.id): i for i in couple.injuries.all()}
    errors: list[str] = []
    valid = []
    for draft in ratings:
        marker = markers.get(draft.marker_code)
        if marker is None:
            errors.append(_("Unknown marker “%(code)s”.") % {"code": draft.marker_code})
            continue
        if draft.rating not in (0, 1, 2):
            errors.append(_("%(marker)s: rate 0, 1 or 2.") % {"marker": marker.label_shown})
            continue
        injury = injuries.get(str(draft.injury_id)) if draft.injury_id else None
        if marker.model == MarkerDefinition.Framework.AIRM:
            if injury is None:
                errors.append(
                    _("%(marker)s: choose one of this couple's injuries.")
                    % {"marker": marker.label_shown}
                )
                continue
            # An AIRM marker is about the hurt or the hurtful partner of that injury.
            partner: Partner | None = (
                injury.hurt_partner
                if marker.applies_to == catalogue.HURT
                else injury.hurtful_partner
            )
        elif marker.is_per_partner:
            partner = partners.get(str(draft.partner_id)) if draft.partner_id else None
            if partner is None:
                errors.append(
                    _("%(marker)s: choose one of this couple's partners.")
                    % {"marker": marker.label_shown}
                )
                continue
        else:
            partner = None
        if len(draft.note.strip()) > 300:
            errors.append(
                _("%(marker)s: keep the note to %(limit)s characters.")
                % {"marker": marker.label_shown, "limit": 300}
            )
            continue
        valid.append((marker, draft, partner, injury))
    return ({"ratings": errors} if errors else {}), valid


@transaction.atomic
def record_session(
    clinician: User,
    couple_id: uuid.UUID | str,
    draft: SessionDraft,
    ratings: Sequence[RatingDraft] = (),
    *,
    at: datetime | None = None,
) -> Session:
    """Record a session with its attendance and marker ratings; flag stalled AIRM tracks.

    1. Conjoint sessions are numbered in order; individual sessions are not.
    2. Each rating is 0, 1 or 2 for a marker of the catalogue, for a partner of the couple
       (or the couple), and for an injury of the couple when it is an AIRM marker.
    3. After a session is held, an AIRM track in progress that has not moved for the clinic's
       number of sessions is flagged STALLED, which prompts a consultation (DOMAIN 7.4).
    """
    at = at or now()
    couple = access.get_couple_for_clinician(clinician, couple_id)
    couple = lifecycle.lock_case(couple.pk)
    errors, attendees = _validate_session(couple, draft, at)
    rating_errors, valid = _validate_ratings(couple, ratings)
    injury_ids = {str(i) for i in draft.airm_injury_ids}
    known = {str(i) for i in couple.injuries.values_list("id", flat=True)}
    if injury_ids - known:
        errors["airm_injuries"] = [_("Choose injuries of this couple.")]
    errors.update(rating_errors)
    if errors:
        raise ActionError(_("The session could not be recorded."), errors)
    progress = StageProgress.objects.filter(couple=couple).first()
    number = None
    if draft.kind == Session.Kind.CONJOINT:
        # A voided session gives its number back when it was the last one (the usual mistake).
        numbers = Session.objects.not_voided().filter(couple=couple, kind=Session.Kind.CONJOINT)
        number = (numbers.aggregate(last=Max("number"))["last"] or 0) + 1
    session = Session.objects.create(
        couple=couple,
        kind=draft.kind,
        number=number,
        occurred_at=draft.occurred_at or at,
        attendance=draft.attendance,
        shared_label=draft.shared_label.strip(),
        clinical_purpose=draft.clinical_purpose.strip(),
        eft_position=progress.position if progress else "",
        created_by=clinician,
        created_at=at,
    )
    session.attendees.set(attendees)
    if injury_ids:
        session.airm_injuries.set(Injury.objects.filter(couple=couple, id__in=injury_ids))
    MarkerObservation.objects.bulk_create(
        MarkerObservation(
            session=session,
            marker=marker,
            partner=partner,
            injury=injury,
            rating=draft.rating,
            note=draft.note.strip(),
            by=clinician,
            created_at=at,
        )
        for marker, draft, partner, injury in valid
    )
    audit.log(
        actor=clinician,
        action="therapy.session.record",
        obj=session,
        clinic_id=couple.clinic_id,
        fields=["attendance", *(["ratings"] if valid else [])],
    )
    if session.was_held:
        _flag_stalled_tracks(couple, session)
    return session


VOID_REASON_LIMIT = 500  # Session.void_reason's max_length


@transaction.atomic
def void_session(
    clinician: User, session_id: uuid.UUID | str, *, reason: str, at: datetime | None = None
) -> Session:
    """Void a session recorded by mistake, for the reason given; it is never deleted.

    A voided session stays on the record, shown as voided to clinicians, and leaves the
    numbering, the timeline, the marker ratings that gate stage moves and the AIRM stall count.
    """
    session = selectors.get_session_for_clinician(clinician, session_id)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_voided:
        raise ActionError(_("This session is already voided."))
    reason = _require_reason(reason, _("Say why the session is voided."))
    if len(reason) > VOID_REASON_LIMIT:
        message = _("Use at most %(limit)s characters.") % {"limit": VOID_REASON_LIMIT}
        raise ActionError(message, {"reason": [message]})
    session.voided_at = at or now()
    session.voided_by = clinician
    session.void_reason = reason
    session.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.log(
        actor=clinician,
        action="therapy.session.void",
        obj=session,
        clinic_id=session.couple.clinic_id,
        fields=["voided_at", "void_reason"],
    )
    return session


def _flag_stalled_tracks(couple: Couple, session: Session) -> None:
    """Move AIRM tracks that have not progressed for N held sessions to STALLED."""
    threshold = selectors.stall_threshold(couple.clinic_id)
    tracks = AirmProgress.objects.select_for_update().filter(
        injury__couple=couple, state__in=AIRM_STEPS
    )
    held = Q(attendance__in=(Session.Attendance.HELD, Session.Attendance.PARTLY))
    for track in tracks:
        since = Session.objects.not_voided().filter(held, couple=couple)
        if track.progressed_at is not None:
            since = since.filter(occurred_at__gt=track.progressed_at)
        count = since.count()
        if count < threshold:
            continue
        AirmTransition.objects.create(
            injury_id=track.injury_id,
            from_state=track.state,
            to_state=AirmState.STALLED,
            at=session.occurred_at,
            by=None,
            session=session,
            # Kept on the track's history in the language of the clinician who recorded the
            # session that reached the threshold.
            reason=ngettext(
                "No AIRM step in %(count)s session (the clinic's threshold is %(threshold)s). "
                "Consider a consultation with your supervisor.",
                "No AIRM step in %(count)s sessions (the clinic's threshold is %(threshold)s). "
                "Consider a consultation with your supervisor.",
                count,
            )
            % {"count": count, "threshold": threshold},
        )
        track.resume_state = track.state
        track.state = AirmState.STALLED
        track.version += 1
        track.save(update_fields=["state", "resume_state", "version"])
        audit.log(
            actor=None,
            action="therapy.airm.stalled",
            obj=track,
            clinic_id=couple.clinic_id,
            fields=["state"],
        )


# --- EFT stages and steps (DOMAIN 7.3) --------------------------------------------------------


def ensure_stage_progress(couple: Couple) -> StageProgress:
    """Return the couple's EFT progress, creating it at Step 1 on first use (actions only)."""
    progress, _created = StageProgress.objects.get_or_create(couple=couple)
    return progress


def stage_progress(couple: Couple) -> StageProgress:
    """Return the couple's EFT progress for a page: stored, or an unsaved Step 1.

    Pages never write (SECURITY.md IV-05): the row is created by the first move.
    """
    return StageProgress.objects.filter(couple=couple).first() or StageProgress(couple=couple)


def allowed_positions(progress: StageProgress) -> tuple[list[str], list[str]]:
    """Return (forward, back) positions the couple may move to from where it is."""
    index = EFT_ORDER.index(progress.position)
    return EFT_ORDER[index + 1 :], EFT_ORDER[:index]


def eft_gates(
    couple: Couple, from_position: str, to_position: str
) -> tuple[list[str], list[MarkerObservation]]:
    """Return the unmet gates of a forward move, in plain words, and the evidence that was met.

    - Leaving Stage 1 (DE_ESCALATED): de-escalation markers 1-4 rated at least 1 for BOTH
      partners; markers 5-9 are advisory.
    - Entering blamer softening while an attachment injury's AIRM is under way: an unresolved
      injury usually blocks BLS (DOMAIN 7.3 "impasse").
    - Leaving Stage 2 (BONDING_EVENT): the Step 7 marker "request met with an accessible
      response" rated 2.
    """
    unmet: list[str] = []
    evidence: list[MarkerObservation] = []
    from_stage, to_stage = stage_of(from_position), stage_of(to_position)
    if from_stage == 1 and to_stage >= 2:
        latest = selectors.latest_ratings(couple, catalogue.DEESCALATION_GATE)
        for partner in couple.partners.all():
            for code in catalogue.DEESCALATION_GATE:
                observation = latest.get((code, partner.id))
                if observation is None or observation.rating < 1:
                    label = _(catalogue.BY_CODE[code].label).lower()
                    unmet.append(
                        _(
                            "De-escalation marker %(number)s (%(marker)s) is not yet rated at"
                            " least 1 for %(name)s."
                        )
                        % {"number": code[-1], "marker": label, "name": partner.display_name}
                    )
                else:
                    evidence.append(observation)
    entering_bls = to_position.startswith("BLS") and not from_position.startswith("BLS")
    if entering_bls or (from_stage < 3 and to_stage == 3 and not from_position.startswith("BLS")):
        open_tracks = AirmProgress.objects.filter(injury__couple=couple).exclude(
            state__in=(AirmState.NOT_STARTED, AirmState.RESOLVED)
        )
        if open_tracks.exists():
            unmet.append(_("An attachment injury is not resolved yet (AIRM under way)."))
    if from_stage <= 2 and to_stage == 3:
        latest = selectors.latest_ratings(couple, [catalogue.BONDING_EVENT_GATE])
        bonding = [o for o in latest.values() if o.rating == 2]
        if bonding:
            evidence.extend(bonding)
        else:
            unmet.append(_("No bonding event yet: the Step 7 marker is not rated 2."))
    return unmet, evidence


@transaction.atomic
def move_stage(
    clinician: User,
    couple_id: uuid.UUID | str,
    to_position: str,
    *,
    reason: str = "",
    attest: bool = False,
    override: bool = False,
    expected_version: int | None = None,
    session_id: uuid.UUID | str | None = None,
    at: datetime | None = None,
) -> StageTransition:
    """Move the couple's EFT position forward (gates checked) or back (a regression).

    1. A forward move out of a stage needs the clinician's attestation and the stage's gate
       (DOMAIN 7.3); an unmet gate may be overridden with a reason.
    2. A move back is a regression ("re-escalation"): allowed, with a reason; history is kept.
    3. A move from a page older than the last change is refused (optimistic locking).
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    progress = ensure_stage_progress(couple)
    progress = StageProgress.objects.select_for_update().get(pk=progress.pk)
    if expected_version is not None and expected_version != progress.version:
        raise ActionError(str(STALE))
    forward, back = allowed_positions(progress)
    if to_position not in forward and to_position not in back:
        raise ActionError(
            _("Choose one of the steps offered."), {"to_position": [_("Choose a step.")]}
        )
    session = None
    if session_id:
        session = selectors.get_session_for_clinician(clinician, session_id)
        if not access.belongs_to_case(session, couple.id):
            raise ActionError(_("That session belongs to another case."))
    is_regression = to_position in back
    unmet: list[str] = []
    evidence: list[MarkerObservation] = []
    if is_regression:
        reason = _require_reason(reason, _("A move back needs a reason (what re-escalated?)."))
    else:
        unmet, evidence = eft_gates(couple, progress.position, to_position)
        crosses_stage = stage_of(to_position) > stage_of(progress.position)
        if crosses_stage and not attest:
            raise ActionError(
                _("Moving to a new stage needs your attestation."),
                {"attest": [_("Tick to attest that the markers were observed in session.")]},
            )
        if unmet and not override:
            raise ActionError(_("Not yet: %(unmet)s") % {"unmet": " ".join(unmet)}, {"": unmet})
        if unmet:
            reason = _require_reason(reason, _("An override needs a reason."))
    transition = StageTransition.objects.create(
        couple=couple,
        from_position=progress.position,
        to_position=to_position,
        at=at or now(),
        by=clinician,
        session=session,
        reason=reason.strip(),
        is_regression=is_regression,
        is_override=bool(unmet),
        unmet_gates=unmet,
    )
    transition.evidence.set(evidence)
    progress.position = to_position
    progress.version += 1
    progress.save(update_fields=["position", "version", "updated_at"])
    audit.log(
        actor=clinician,
        action="therapy.stage.move",
        obj=progress,
        clinic_id=couple.clinic_id,
        fields=["position"],
    )
    return transition


# --- AIRM per injury (DOMAIN 7.4) -------------------------------------------------------------


def airm_start_guards(injury: Injury) -> list[str]:
    """Return, in plain words, why the AIRM of this injury may not start (empty: it may)."""
    unmet = []
    if not injury.is_attachment_injury:
        unmet.append(_("The injury is not formulated as an attachment injury."))
    if injury.ongoing:
        unmet.append(_("The injury is recorded as ongoing (e.g. the affair continues)."))
    if (
        SafetyConcern.objects.filter(couple_id=injury.couple_id)
        .exclude(status=SafetyConcern.Status.CLOSED)
        .filter(level__gte=SafetyConcern.Level.MODERATE)
        .exists()
    ):
        unmet.append(_("A safety concern at MODERATE or above is open."))
    return unmet


# AIRM steps 5-8 (the hurtful partner's engagement, remorse, the request for comfort and the
# antidote bonding event) belong to Stage 2 work: they follow de-escalation, the end of EFT
# Stage 1 (DOMAIN 7.3, 7.4; Johnson, Makinen & Millikin 2001). Earlier is allowed, with a reason.
AIRM_AFTER_DEESCALATION = ("a5", "a6", "a7", "a8")


def airm_before_deescalation(couple: Couple) -> str:
    """Return the warning shown before AIRM steps 5-8 while the couple is still in EFT Stage 1,
    or "" once it has left Stage 1."""
    position = stage_progress(couple).position
    if stage_of(position) != 1:
        return ""
    return _(
        "The couple is still in EFT Stage 1 (%(position)s): AIRM steps 5-8 before de-escalation"
        " need a reason to go on."
    ) % {"position": EftPosition(position).label}


def airm_next_states(track: AirmProgress | None) -> list[str]:
    """Return the states an AIRM track may move to next (forward, side exits, back)."""
    state = track.state if track else AirmState.NOT_STARTED
    if state == AirmState.NOT_STARTED:
        return [AirmState.A1]
    if state in AIRM_SIDE_EXITS and track is not None:
        return [track.resume_state or AirmState.A1, AirmState.NOT_RESOLVED_AT_CLOSE]
    if state in AIRM_STEPS:
        index = AIRM_STEPS.index(state)
        options = AIRM_STEPS[index + 1 : index + 2]
        if state == AirmState.A1:
            options.append(AirmState.A3)  # A2 is observed, optional, and may be skipped.
        if state == AirmState.A8:
            options.append(AirmState.RESOLVED)
        options += [AirmState.SUSPENDED_SAFETY, AirmState.NOT_RESOLVED_AT_CLOSE]
        options += AIRM_STEPS[:index]  # back: allowed with a reason
        return options
    return []


@transaction.atomic
def move_airm(
    clinician: User,
    injury_id: uuid.UUID | str,
    to_state: str,
    *,
    reason: str = "",
    attest: bool = False,
    expected_version: int | None = None,
    session_id: uuid.UUID | str | None = None,
    at: datetime | None = None,
) -> AirmTransition:
    """Start, advance, resolve, suspend, resume or move back an injury's AIRM track.

    Guards (DOMAIN 7.4), enforced here whatever the page offered:
    - to start or go on with a step: the injury is an attachment injury, not ongoing, and no
      safety concern at MODERATE or above is open;
    - RESOLVED: the A8 marker rated 2 for this injury and the clinician attests;
    - moving back, suspending, resuming or closing unresolved: a reason;
    - steps 5-8 while the couple is still in EFT Stage 1: a reason (an override, audited).
    """
    at = at or now()
    injury = access.get_injury_for_clinician(clinician, injury_id)
    track, _created = AirmProgress.objects.get_or_create(injury=injury)
    track = AirmProgress.objects.select_for_update().get(pk=track.pk)
    if expected_version is not None and expected_version != track.version:
        raise ActionError(str(STALE))
    if to_state not in airm_next_states(track):
        raise ActionError(
            _("Choose one of the steps offered."), {"to_state": [_("Choose a step.")]}
        )
    session = None
    if session_id:
        session = selectors.get_session_for_clinician(clinician, session_id)
        if not access.belongs_to_case(session, injury.couple_id):
            raise ActionError(_("That session belongs to another case."))
    from_state = track.state
    evidence: list[MarkerObservation] = []
    is_forward_step = to_state in AIRM_STEPS and (
        from_state not in AIRM_STEPS or AIRM_STEPS.index(to_state) > AIRM_STEPS.index(from_state)
    )
    is_back = (
        to_state in AIRM_STEPS
        and from_state in AIRM_STEPS
        and AIRM_STEPS.index(to_state) < AIRM_STEPS.index(from_state)
    )
    if is_forward_step or to_state == AirmState.RESOLVED:
        unmet = airm_start_guards(injury)
        if unmet:
            raise ActionError(_("Not now: %(unmet)s") % {"unmet": " ".join(unmet)}, {"": unmet})
    if to_state == AirmState.RESOLVED:
        latest = selectors.latest_ratings(
            injury.couple, [catalogue.AIRM_RESOLVED_GATE], injury=injury
        )
        met = [o for o in latest.values() if o.rating == 2]
        if not met:
            raise ActionError(
                _(
                    "Not yet: the A8 marker (antidote bonding event) is not rated 2 for this"
                    " injury."
                ),
                {"": [_("The A8 marker (antidote bonding event) is not rated 2 for this injury.")]},
            )
        if not attest:
            raise ActionError(
                _("Resolving an injury needs your attestation."),
                {"attest": [_("Tick to attest that the injury is resolved.")]},
            )
        evidence = met
    needs_reason = (
        is_back
        or to_state
        in (
            AirmState.SUSPENDED_SAFETY,
            AirmState.NOT_RESOLVED_AT_CLOSE,
        )
        or from_state in AIRM_SIDE_EXITS
    )
    early = (
        airm_before_deescalation(injury.couple)
        if is_forward_step and to_state in AIRM_AFTER_DEESCALATION
        else ""
    )
    if early and not reason.strip():
        raise ActionError(early, {"reason": [early]})
    if needs_reason:
        reason = _require_reason(reason, _("This move needs a reason."))
    elif is_forward_step and from_state in AIRM_STEPS:
        step_code = f"AIRM.{AIRM_STEPS.index(from_state) + 1}"
        latest = selectors.latest_ratings(injury.couple, [step_code], injury=injury)
        evidence = [o for o in latest.values() if o.rating >= 1]
    transition = AirmTransition.objects.create(
        injury=injury,
        from_state=from_state,
        to_state=to_state,
        at=at,
        by=clinician,
        session=session,
        reason=reason.strip(),
        is_override=bool(early),
    )
    transition.evidence.set(evidence)
    changed = ["state"]
    if to_state in AIRM_SIDE_EXITS:
        track.resume_state = from_state
        changed.append("resume_state")
    if from_state == AirmState.NOT_STARTED:
        track.started_at = at
        changed.append("started_at")
    if to_state in AIRM_STEPS or to_state == AirmState.RESOLVED:
        track.progressed_at = at
        changed.append("progressed_at")
    if to_state == AirmState.RESOLVED:
        track.resolved_at = at
        changed.append("resolved_at")
    track.state = to_state
    track.version += 1
    track.save(update_fields=[*changed, "version"])
    audit.log(
        actor=clinician,
        action="therapy.airm.before_deescalation" if early else "therapy.airm.move",
        obj=track,
        clinic_id=injury.couple.clinic_id,
        fields=[*changed, "reason"] if early else changed,
    )
    return transition


# --- The couple's negative cycle (DOMAIN 1.2) -------------------------------------------------


@dataclass(frozen=True)
class PositionDraft:
    partner_id: uuid.UUID | str
    position: str = ""
    action: str = ""
    reactive_emotion: str = ""
    primary_emotion: str = ""
    attachment_fear: str = ""
    need: str = ""


POSITION_TEXT_FIELDS = ("action", "reactive_emotion", "primary_emotion", "attachment_fear", "need")


@transaction.atomic
def save_cycle(
    clinician: User,
    couple_id: uuid.UUID | str,
    *,
    pattern: str,
    trigger: str,
    positions: Sequence[PositionDraft],
    expected_version: int | None = None,
) -> CycleMap:
    """Save the couple's cycle: its pattern, trigger and each partner's position and emotions."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    cycle, _created = CycleMap.objects.get_or_create(couple=couple)
    cycle = CycleMap.objects.select_for_update().get(pk=cycle.pk)
    if expected_version is not None and expected_version != cycle.version:
        raise ActionError(str(STALE))
    errors: dict[str, list[str]] = {}
    if pattern not in CycleMap.Pattern.values:
        errors["pattern"] = [_("Choose one of the patterns.")]
    if len(trigger.strip()) > 200:
        errors["trigger"] = [_("Use at most %(limit)s characters.") % {"limit": 200}]
    partners = {str(p.id): p for p in couple.partners.all()}
    for draft in positions:
        prefix = (
            f"{partners[str(draft.partner_id)].role}-" if str(draft.partner_id) in partners else ""
        )
        if not prefix:
            errors[""] = [_("Choose partners of this couple.")]
            continue
        if draft.position not in CyclePosition.Position.values:
            errors[prefix + "position"] = [_("Choose one of the positions.")]
        for name in POSITION_TEXT_FIELDS:
            limit = int(getattr(CyclePosition._meta.get_field(name), "max_length", 0) or 0)
            if len(getattr(draft, name).strip()) > limit:
                errors[prefix + name] = [_("Use at most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ActionError(_("The cycle could not be saved."), errors)
    cycle.pattern = pattern
    cycle.trigger = trigger.strip()
    cycle.updated_by = clinician
    cycle.version += 1
    cycle.save(update_fields=["pattern", "trigger", "updated_by", "version", "updated_at"])
    for draft in positions:
        values = {name: getattr(draft, name).strip() for name in POSITION_TEXT_FIELDS}
        CyclePosition.objects.update_or_create(
            partner_id=draft.partner_id,
            defaults={"cycle": cycle, "position": draft.position, **values},
        )
    audit.log(
        actor=clinician,
        action="therapy.cycle.save",
        obj=cycle,
        clinic_id=couple.clinic_id,
        fields=["pattern", "trigger", "positions"],
    )
    return cycle


# --- Notes ------------------------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ActionError(_("A note needs some text."), {"body": [_("Write the note.")]})
    if len(body) > 20000:
        raise ActionError(_("Too long."), {"body": [_("Keep a note under 20,000 characters.")]})
    return body


@transaction.atomic
def write_note(
    clinician: User,
    couple_id: uuid.UUID | str,
    *,
    kind: str,
    body: str,
    session_id: uuid.UUID | str | None = None,
    at: datetime | None = None,
) -> Note:
    """Write a clinical note on the case, optionally about one session."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    if kind not in Note.Kind.values:
        raise ActionError(_("Choose the kind of note."), {"kind": [_("Choose the kind of note.")]})
    body = _check_body(body)
    session = None
    if session_id:
        session = selectors.get_session_for_clinician(clinician, session_id)
        if not access.belongs_to_case(session, couple.id):
            raise ActionError(_("That session belongs to another case."))
    note = Note.objects.create(
        couple=couple,
        session=session,
        kind=kind,
        body=body,
        author=clinician,
        created_at=at or now(),
    )
    audit.log(actor=clinician, action="therapy.note.write", obj=note, clinic_id=couple.clinic_id)
    return note


@transaction.atomic
def edit_note(
    clinician: User,
    note_id: uuid.UUID | str,
    *,
    body: str,
    expected_version: int,
    at: datetime | None = None,
) -> Note:
    """Change a note's text within 24 hours of writing it, by its author only.

    After that the note is locked: the record stands as written and an addendum says what
    changed. A page opened before someone else's edit cannot overwrite it (optimistic locking).
    """
    at = at or now()
    note = selectors.get_note_for_clinician(clinician, note_id)
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.author_id != clinician.id:
        raise ActionError(_("Only the author can change a note; add an addendum instead."))
    if note.is_locked(at):
        raise ActionError(
            _("This note is locked (24 hours after it was written): add an addendum instead."),
            {"body": [_("The note is locked; add an addendum instead.")]},
        )
    if expected_version != note.version:
        raise ActionError(str(STALE), {"body": [str(STALE)]})
    note.body = _check_body(body)
    note.edited_at = at
    note.version += 1
    note.save(update_fields=["body", "edited_at", "version"])
    audit.log(
        actor=clinician,
        action="therapy.note.edit",
        obj=note,
        clinic_id=note.couple.clinic_id,
        fields=["body"],
    )
    return note


@transaction.atomic
def add_addendum(
    clinician: User, note_id: uuid.UUID | str, *, body: str, at: datetime | None = None
) -> NoteAddendum:
    """Add a dated addendum to a note (the only change once it is locked)."""
    note = selectors.get_note_for_clinician(clinician, note_id)
    addendum = NoteAddendum.objects.create(
        note=note, body=_check_body(body), author=clinician, created_at=at or now()
    )
    audit.log(
        actor=clinician,
        action="therapy.note.addendum",
        obj=addendum,
        clinic_id=note.couple.clinic_id,
    )
    return addendum


def positions_offered(progress: StageProgress) -> list[tuple[str, str]]:
    """Return the (value, label) choices of the move form: forward first, then back."""
    forward, back = allowed_positions(progress)
    return [(p, str(EftPosition(p).label)) for p in forward] + [
        (p, _("Back to %(position)s") % {"position": EftPosition(p).label}) for p in reversed(back)
    ]
