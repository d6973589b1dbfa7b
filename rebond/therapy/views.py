"""The therapy pages of a case: overview (EFT stage, AIRM, cycle), sessions, notes, the cycle
map, the timeline, the marker catalogue and the clinic's therapy settings.

Clinician pages only; every fetch goes through the access gateway (a refused one is a 404).
Forms post to their own URL and work without JavaScript (POST, then redirect); bad input is
answered with 422 and the page re-rendered with the errors and what was typed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.couples.models import Couple, Injury, Partner
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.therapy import actions, catalogue, diagrams, selectors
from rebond.therapy.forms import (
    AddendumForm,
    AirmMoveForm,
    CycleForm,
    NoteEditForm,
    NoteForm,
    PositionForm,
    SessionForm,
    SettingsForm,
    StageMoveForm,
    VoidSessionForm,
)
from rebond.therapy.models import (
    AIRM_STEPS,
    EFT_ORDER,
    STAGE_NAMES,
    AirmProgress,
    AirmState,
    AirmTransition,
    CycleMap,
    CyclePosition,
    EftPosition,
    MarkerDefinition,
    MarkerObservation,
    Note,
    Session,
    StageTransition,
    stage_of,
)
from rebond.therapy.timeline import case_timeline

UNPROCESSABLE = 422


# --- Overview: EFT stage, AIRM tracks, the cycle ----------------------------------------------


@dataclass
class AirmCard:
    injury: Injury
    track: AirmProgress | None
    form: AirmMoveForm | None
    history: list[AirmTransition]
    start_guards: list[str]
    # Shown when the next step is AIRM 5-8 and the couple is still in EFT Stage 1 (issue 15 B9).
    early_warning: str = ""

    @property
    def state_label(self) -> str:
        return str(AirmState(self.track.state if self.track else "not_started").label)

    @property
    def state(self) -> str:
        return self.track.state if self.track else "not_started"

    @property
    def steps(self) -> list[tuple[str, str, str, str]]:
        """Return (state, label, done|current|todo, that status in words) for the eight steps."""
        current = self.track.state if self.track else "not_started"
        resolved = current == AirmState.RESOLVED
        reference = self.track.resume_state if self.track and self.track.resume_state else current
        index = AIRM_STEPS.index(reference) if reference in AIRM_STEPS else -1
        rows = []
        for position, state in enumerate(AIRM_STEPS):
            if resolved or position < index:
                status = "done"
            elif position == index:
                status = "current"
            else:
                status = "todo"
            rows.append(
                (state, str(AirmState(state).label), status, str(STEP_STATUS_WORDS[status]))
            )
        return rows


# Where a step stands, as a screen reader says it after the step's name.
STEP_STATUS_WORDS = {
    "done": gettext_lazy("done"),
    "current": gettext_lazy("current"),
    "todo": gettext_lazy("to do"),
}


def airm_form_ids(injury_id: uuid.UUID) -> str:
    """Element ids of one injury's AIRM form, unlike those of the stage form and other cards.

    The page holds the stage-move form and one AIRM form per injury, all with fields named
    reason, attest and version: with Django's default ids a label would tick another form's
    checkbox and a second reason box would have no name (WCAG 1.3.1, 4.1.2). Only the ids
    change; the posted field names stay the same.
    """
    return f"airm-{injury_id}-%s"


def _airm_cards(
    couple: Couple, posted: tuple[uuid.UUID, AirmMoveForm] | None = None
) -> list[AirmCard]:
    cards = []
    history: dict[int, list[AirmTransition]] = {}
    for transition in AirmTransition.objects.filter(injury__couple=couple).select_related("by"):
        history.setdefault(transition.injury_id, []).append(transition)  # type: ignore[arg-type]
    before_deescalation = actions.airm_before_deescalation(couple)
    for injury, track in selectors.airm_tracks(couple):
        choices = [(s, str(AirmState(s).label)) for s in actions.airm_next_states(track)]
        next_is_late = bool(choices) and choices[0][0] in actions.AIRM_AFTER_DEESCALATION
        if posted is not None and str(posted[0]) == str(injury.id):
            form: AirmMoveForm | None = posted[1]
        elif choices:
            form = AirmMoveForm(
                choices,
                initial={"version": track.version if track else 1},
                auto_id=airm_form_ids(injury.id),
            )
        else:
            form = None
        cards.append(
            AirmCard(
                injury,
                track,
                form,
                history.get(injury.id, []),  # type: ignore[call-overload]
                actions.airm_start_guards(injury)
                if track is None or track.state == "not_started"
                else [],
                before_deescalation if next_is_late else "",
            )
        )
    return cards


def _cycle_context(couple: Couple) -> dict[str, Any]:
    cycle = CycleMap.objects.filter(couple=couple).first()
    positions = {p.partner_id: p for p in CyclePosition.objects.filter(cycle__couple=couple)}
    sides = [diagrams.CycleSide(p, positions.get(p.id)) for p in couple.partners.all()]
    return {
        "cycle": cycle,
        "cycle_svg": diagrams.cycle_svg(cycle, sides, "cycle-title", "cycle-desc"),
        "cycle_text": diagrams.cycle_text(cycle, sides),
    }


def _overview(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    *,
    stage_form: StageMoveForm | None = None,
    airm_posted: tuple[uuid.UUID, AirmMoveForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    progress = actions.stage_progress(couple)
    if stage_form is None:
        stage_form = StageMoveForm(
            actions.positions_offered(progress), initial={"version": progress.version}
        )
    transitions = list(
        StageTransition.objects.filter(couple=couple)
        .select_related("by")
        .prefetch_related("evidence__marker", "evidence__partner")
    )
    stage_rows = []
    for stage in (1, 2, 3):
        positions = [p for p in EFT_ORDER if stage_of(p) == stage]
        stage_rows.append(
            {
                "name": STAGE_NAMES[stage],
                "current": progress.stage == stage,
                "done": progress.stage > stage,
                "steps": [
                    {
                        "label": EftPosition(p).label,
                        "current": p == progress.position,
                        "done": EFT_ORDER.index(p) < EFT_ORDER.index(progress.position),
                    }
                    for p in positions
                ],
            }
        )
    context = {
        "couple": couple,
        "tab": "overview",
        "progress": progress,
        "stage_rows": stage_rows,
        "stage_form": stage_form,
        "transitions": transitions,
        "airm_cards": _airm_cards(couple, airm_posted),
        **_cycle_context(couple),
    }
    return render(request, "therapy/overview.html", context, status=status)


@require_safe
def overview(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show where the couple is in EFT, each injury's AIRM, and the cycle map."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    return _overview(request, couple)


@require_POST
def move_stage(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Move the couple's EFT position forward (gates checked) or back (with a reason)."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    progress = actions.stage_progress(couple)
    form = StageMoveForm(actions.positions_offered(progress), request.POST)
    if not form.is_valid():
        return _overview(request, couple, stage_form=form, status=UNPROCESSABLE)
    data = form.cleaned_data
    try:
        transition = actions.move_stage(
            request.user,
            couple.id,
            data["to_position"],
            reason=data["reason"],
            attest=data["attest"],
            override=data["override"],
            expected_version=data["version"],
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        return _overview(request, couple, stage_form=form, status=UNPROCESSABLE)
    messages.success(
        request,
        _("Moved to %(position)s.") % {"position": EftPosition(transition.to_position).label},
    )
    return redirect("therapy", couple_id=couple.id)


@require_POST
def move_airm(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, injury_id: uuid.UUID
) -> HttpResponse:
    """Start, advance, resolve, suspend or resume one injury's AIRM track."""
    injury = access.get_injury_of_case(request.user, couple_id, injury_id)
    couple = injury.couple
    track = AirmProgress.objects.filter(injury=injury).first()
    choices = [(s, str(AirmState(s).label)) for s in actions.airm_next_states(track)]
    form = AirmMoveForm(choices, request.POST, auto_id=airm_form_ids(injury.id))
    if not form.is_valid():
        return _overview(request, couple, airm_posted=(injury.id, form), status=UNPROCESSABLE)
    data = form.cleaned_data
    try:
        transition = actions.move_airm(
            request.user,
            injury.id,
            data["to_state"],
            reason=data["reason"],
            attest=data["attest"],
            expected_version=data["version"],
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        return _overview(request, couple, airm_posted=(injury.id, form), status=UNPROCESSABLE)
    messages.success(
        request, _("AIRM: %(state)s.") % {"state": AirmState(transition.to_state).label}
    )
    return redirect(reverse("therapy", args=[couple.id]) + f"#airm-{injury.id}")


# --- Sessions ---------------------------------------------------------------------------------


@dataclass
class RatingField:
    name: str
    label: str
    value: str = ""


@dataclass
class RatingGroup:
    marker: MarkerDefinition
    injury: Injury | None
    fields: list[RatingField] = field(default_factory=list)


def rating_groups(couple: Couple, data: Any = None) -> list[RatingGroup]:
    """Return the markers to rate in a session: the current EFT stage's and each AIRM step's
    (also for an appointment's record page, rebond/appointments)."""
    actions.ensure_marker_catalogue()
    progress = actions.stage_progress(couple)
    partners = list(couple.partners.all())
    markers = list(MarkerDefinition.objects.all())
    groups: list[RatingGroup] = []
    for marker in markers:
        if marker.model == "eft" and marker.stage == progress.stage:
            groups.append(RatingGroup(marker, None))
    for tracked_injury, track in selectors.airm_tracks(couple):
        if track is None or not (track.is_in_progress or track.state == "stalled"):
            continue
        state = track.state if track.is_in_progress else track.resume_state
        index = AIRM_STEPS.index(state) if state in AIRM_STEPS else 0
        for marker in markers:
            if marker.model == "airm" and marker.step in (index + 1, index + 2):
                groups.append(RatingGroup(marker, tracked_injury))
    for group in groups:
        marker, injury = group.marker, group.injury
        if injury is not None:
            who = (
                injury.hurt_partner
                if marker.applies_to == catalogue.HURT
                else injury.hurtful_partner
            )
            targets: list[Partner | None] = [who]
        elif marker.is_per_partner:
            targets = list(partners)
        else:
            targets = [None]
        for partner in targets:
            name = f"r|{marker.code}|{partner.id if partner else ''}|{injury.id if injury else ''}"
            label = partner.display_name if partner else _("The couple")
            value = data.get(name, "") if data is not None else ""
            group.fields.append(RatingField(name, label, value))
    return groups


def recorded_with_ratings(session: object, count: int) -> str:
    """Return the confirmation of a recorded session and how many marker ratings it holds
    (here and on the appointment page, which records a session too)."""
    return ngettext(
        "%(session)s recorded with %(count)s marker rating.",
        "%(session)s recorded with %(count)s marker ratings.",
        count,
    ) % {"session": session, "count": count}


def parse_ratings(data: Any) -> tuple[list[actions.RatingDraft], list[str]]:
    """Return the marker ratings a session form posted (here and on an appointment's record
    page, rebond/appointments), and the errors of those that do not parse."""
    drafts, errors = [], []
    for name, value in data.items():
        if not name.startswith("r|") or value == "":
            continue
        parts = name.split("|")
        if len(parts) != 4 or value not in ("0", "1", "2"):
            errors.append(_("Rate each marker 0, 1 or 2, or leave it not rated."))
            continue
        code, partner_id, injury_id = parts[1:]
        drafts.append(
            actions.RatingDraft(
                marker_code=code,
                rating=int(value),
                partner_id=partner_id or None,
                injury_id=injury_id or None,
            )
        )
    return drafts, errors


def _sessions_page(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    form: SessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions = list(
        Session.objects.filter(couple=couple).prefetch_related("attendees").order_by("-occurred_at")
    )
    counts: dict[uuid.UUID, int] = {}
    for session_id in MarkerObservation.objects.filter(session__couple=couple).values_list(
        "session_id", flat=True
    ):
        counts[session_id] = counts.get(session_id, 0) + 1
    if form is None:
        form = SessionForm(
            couple,
            initial={
                "kind": Session.Kind.CONJOINT,
                "occurred_at": localtime(now()).replace(second=0, microsecond=0),
                # Attendance and who came are never pre-filled: one click must not record a
                # session nobody described.
                "shared_label": _("Session"),
            },
        )
    groups = rating_groups(couple, request.POST if request.method == "POST" else None)
    rows = [(s, counts.get(s.id, 0)) for s in sessions]
    return render(
        request,
        "therapy/sessions.html",
        {"couple": couple, "tab": "sessions", "rows": rows, "form": form, "groups": groups},
        status=status,
    )


@require_safe
def sessions(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """List the couple's sessions, with the form to record one and rate its markers."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    return _sessions_page(request, couple)


@require_POST
def record_session(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Record a session with its attendance and marker ratings."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = SessionForm(couple, request.POST)
    drafts, rating_errors = parse_ratings(request.POST)
    if not form.is_valid() or rating_errors:
        for error in rating_errors[:1]:
            form.add_error(None, error)
        return _sessions_page(request, couple, form, status=UNPROCESSABLE)
    data = form.cleaned_data
    try:
        session = actions.record_session(
            request.user,
            couple.id,
            actions.SessionDraft.from_form(data, drafts),
            drafts,
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        for message in exc.errors.get("ratings", []):
            form.add_error(None, message)
        return _sessions_page(request, couple, form, status=UNPROCESSABLE)
    messages.success(request, recorded_with_ratings(session, len(drafts)))
    return redirect("therapy_session", couple_id=couple.id, session_id=session.id)


def _session_page(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    session: Session,
    void_form: VoidSessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    observations = list(
        session.observations.select_related("marker", "partner", "injury").order_by(
            "marker__order", "partner__role"
        )
    )
    notes = list(session.notes.select_related("author"))
    return render(
        request,
        "therapy/session.html",
        {
            "couple": couple,
            "tab": "sessions",
            "session": session,
            "observations": observations,
            "notes": notes,
            "position_label": EftPosition(session.eft_position).label
            if session.eft_position
            else "",
            "attendees": list(session.attendees.all()),
            "void_form": None if session.is_voided else (void_form or VoidSessionForm()),
        },
        status=status,
    )


def _session_of_case(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[Couple, Session]:
    session = access.get_session_of_case(request.user, couple_id, session_id)
    return session.couple, session


@require_safe
def session_detail(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, session_id: uuid.UUID
) -> HttpResponse:
    """Show one session: attendance, label and purpose, its marker ratings and notes."""
    couple, session = _session_of_case(request, couple_id, session_id)
    return _session_page(request, couple, session)


@require_POST
def void_session(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, session_id: uuid.UUID
) -> HttpResponse:
    """Void a session recorded by mistake, with the reason (kept and audited, never deleted)."""
    couple, session = _session_of_case(request, couple_id, session_id)
    form = VoidSessionForm(request.POST)
    if not form.is_valid():
        return _session_page(request, couple, session, form, status=UNPROCESSABLE)
    try:
        actions.void_session(request.user, session.id, reason=form.cleaned_data["reason"])
    except ActionError as exc:
        add_action_errors(form, exc)
        return _session_page(request, couple, session, form, status=UNPROCESSABLE)
    messages.success(
        request,
        _("%(session)s voided. It stays on the record, marked voided.") % {"session": session},
    )
    return redirect("therapy_session", couple_id=couple.id, session_id=session.id)


# --- The cycle --------------------------------------------------------------------------------


def _cycle_page(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    form: CycleForm | None = None,
    position_forms: list[tuple[Partner, PositionForm]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _cycle_context(couple)
    cycle = context["cycle"]
    if form is None:
        form = CycleForm(
            initial={
                "pattern": cycle.pattern if cycle else CycleMap.Pattern.UNCLEAR,
                "trigger": cycle.trigger if cycle else "",
                "version": cycle.version if cycle else 1,
            }
        )
    if position_forms is None:
        positions = {p.partner_id: p for p in CyclePosition.objects.filter(cycle__couple=couple)}
        position_forms = []
        for partner in couple.partners.all():
            existing = positions.get(partner.id)
            initial = (
                {
                    name: getattr(existing, name)
                    for name in ("position", *actions.POSITION_TEXT_FIELDS)
                }
                if existing
                else {}
            )
            position_forms.append((partner, PositionForm(prefix=partner.role, initial=initial)))
    return render(
        request,
        "therapy/cycle.html",
        {
            "couple": couple,
            "tab": "cycle",
            "form": form,
            "position_forms": position_forms,
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def cycle(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show the couple's cycle map (printable) with the form to change it; save it on POST."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    if request.method != "POST":
        return _cycle_page(request, couple)
    form = CycleForm(request.POST)
    partners = list(couple.partners.all())
    position_forms = [(p, PositionForm(request.POST, prefix=p.role)) for p in partners]
    if not form.is_valid() or not all(f.is_valid() for _partner, f in position_forms):
        return _cycle_page(request, couple, form, position_forms, status=UNPROCESSABLE)
    try:
        actions.save_cycle(
            request.user,
            couple.id,
            pattern=form.cleaned_data["pattern"],
            trigger=form.cleaned_data["trigger"],
            positions=[
                actions.PositionDraft(partner_id=p.id, **f.cleaned_data) for p, f in position_forms
            ],
            expected_version=form.cleaned_data["version"],
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        return _cycle_page(request, couple, form, position_forms, status=UNPROCESSABLE)
    messages.success(request, _("Cycle map saved."))
    return redirect("therapy_cycle", couple_id=couple.id)


# --- Notes ------------------------------------------------------------------------------------


@dataclass
class NoteRow:
    note: Note
    locked: bool
    edit_form: NoteEditForm | None
    addendum_form: AddendumForm


def _notes_page(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    form: NoteForm | None = None,
    posted: tuple[uuid.UUID, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions_ = list(Session.objects.not_voided().filter(couple=couple).order_by("-occurred_at"))
    form = form or NoteForm(sessions_)
    at = now()
    rows = []
    notes = (
        selectors.notes_for_clinician(request.user)
        .filter(couple=couple)
        .select_related("author", "session")
        .prefetch_related("addenda__author")
    )
    for note in notes:
        locked = note.is_locked(at)
        edit_form = None
        if not locked and note.author_id == request.user.id:
            edit_form = NoteEditForm(
                initial={"body": note.body, "version": note.version}, prefix=f"edit-{note.id}"
            )
        addendum_form = AddendumForm(prefix=f"add-{note.id}")
        if posted is not None and posted[0] == note.id:
            if isinstance(posted[1], NoteEditForm):
                edit_form = posted[1]
            else:
                addendum_form = posted[1]  # type: ignore[assignment]
        rows.append(NoteRow(note, locked, edit_form, addendum_form))
    return render(
        request,
        "therapy/notes.html",
        {"couple": couple, "tab": "notes", "form": form, "rows": rows},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def notes(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """List the case's notes; write one on POST."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    if request.method != "POST":
        return _notes_page(request, couple)
    sessions_ = list(Session.objects.not_voided().filter(couple=couple).order_by("-occurred_at"))
    form = NoteForm(sessions_, request.POST)
    if not form.is_valid():
        return _notes_page(request, couple, form, status=UNPROCESSABLE)
    try:
        actions.write_note(
            request.user,
            couple.id,
            kind=form.cleaned_data["kind"],
            body=form.cleaned_data["body"],
            session_id=form.cleaned_data["session"] or None,
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        return _notes_page(request, couple, form, status=UNPROCESSABLE)
    messages.success(request, _("Note saved. You can change it for 24 hours; then it is locked."))
    return redirect("therapy_notes", couple_id=couple.id)


def _note_of_case(request: AuthenticatedHttpRequest, couple: Couple, note_id: uuid.UUID) -> Note:
    return access.get_note_of_case(request.user, couple.id, note_id)


@require_POST
def edit_note(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, note_id: uuid.UUID
) -> HttpResponse:
    """Change a note within 24 hours of writing it."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    note = _note_of_case(request, couple, note_id)
    form = NoteEditForm(request.POST, prefix=f"edit-{note.id}")
    if not form.is_valid():
        return _notes_page(request, couple, posted=(note.id, form), status=UNPROCESSABLE)
    try:
        actions.edit_note(
            request.user,
            note.id,
            body=form.cleaned_data["body"],
            expected_version=form.cleaned_data["version"],
        )
    except ActionError as exc:
        add_action_errors(form, exc)
        return _notes_page(request, couple, posted=(note.id, form), status=UNPROCESSABLE)
    messages.success(request, _("Note changed."))
    return redirect(reverse("therapy_notes", args=[couple.id]) + f"#note-{note.id}")


@require_POST
def add_addendum(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, note_id: uuid.UUID
) -> HttpResponse:
    """Add an addendum to a note."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    note = _note_of_case(request, couple, note_id)
    form = AddendumForm(request.POST, prefix=f"add-{note.id}")
    if not form.is_valid():
        return _notes_page(request, couple, posted=(note.id, form), status=UNPROCESSABLE)
    try:
        actions.add_addendum(request.user, note.id, body=form.cleaned_data["body"])
    except ActionError as exc:
        add_action_errors(form, exc)
        return _notes_page(request, couple, posted=(note.id, form), status=UNPROCESSABLE)
    messages.success(request, _("Addendum added."))
    return redirect(reverse("therapy_notes", args=[couple.id]) + f"#note-{note.id}")


# --- Timeline ---------------------------------------------------------------------------------


@require_safe
def timeline(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show sessions, stage moves, AIRM steps, scores and alerts on one time axis."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    events = case_timeline(couple, diagrams.LANES, viewer=request.user)
    days: list[tuple[datetime, list[diagrams.TimelineEvent]]] = []
    for event in events:
        day = localtime(event.at).date()
        if days and localtime(days[-1][0]).date() == day:
            days[-1][1].append(event)
        else:
            days.append((event.at, [event]))
    return render(
        request,
        "therapy/timeline.html",
        {
            "couple": couple,
            "tab": "timeline",
            "svg": diagrams.timeline_svg(events, "timeline-title", "timeline-desc"),
            "days": list(reversed(days)),
            "lanes": [(lane, diagrams.LANE_NAMES[lane]) for lane in diagrams.LANES],
            "count": len(events),
        },
    )


# --- Reference and settings -------------------------------------------------------------------


@require_safe
def markers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the marker catalogue with each marker's source and evidence tag."""
    actions.ensure_marker_catalogue()
    return render(
        request,
        "therapy/markers.html",
        {"markers": list(MarkerDefinition.objects.all())},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def therapy_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Let a clinic admin set the AIRM stall threshold."""
    user = request.user
    clinic = access.get_admin_clinic(user)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                actions.set_stall_threshold(user, form.cleaned_data["airm_stall_sessions"])
            except ActionError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Therapy settings saved."))
                return redirect("therapy_settings")
        status = UNPROCESSABLE
    else:
        form = SettingsForm(initial={"airm_stall_sessions": selectors.stall_threshold(clinic.id)})
    return render(request, "therapy/settings.html", {"form": form}, status=status)
