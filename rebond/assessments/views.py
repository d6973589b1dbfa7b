"""Check-ins: the partner answers privately (private-link session); the clinician schedules
and reads results (login).

Partner pages show only the partner's own administrations, under a neutral name ("Check-in 1
of 2"), never the instrument's name, and never a score, band or flag (DOMAIN.md 7.5). They work
without JavaScript: the whole questionnaire is one form posted to `checkin_submit`. With
JavaScript (assessments/checkin.js) each answer is also autosaved to the server-side draft.
Every change goes through `rebond.assessments.actions`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

import psychometrics
from psychometrics import Instrument, Item
from rebond import audit
from rebond.accounts import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.assessments import actions, checkins, schedule, scoring
from rebond.assessments.actions import AssessmentError
from rebond.assessments.checkins import has_wording, open_checkins
from rebond.assessments.forms import (
    BOTH,
    ApplyScheduleForm,
    ApproveInstrumentForm,
    OccasionSetsForm,
    ReminderSettingsForm,
    ScheduleForm,
)
from rebond.assessments.models import Administration, InstrumentApproval, Occasion, Submission
from rebond.couples.actions import ActionError
from rebond.couples.models import Couple, Partner
from rebond.portal import actions as portal_actions
from rebond.portal import session
from rebond.portal.forms import SetPinForm
from rebond.portal.models import LinkPin

# An answer is a small whole number; anything else is refused before it reaches int().
VALUE_RE = re.compile(r"-?[0-9]{1,4}")
ITEM_RE = re.compile(r"[0-9]{1,3}")
NO_THRESHOLD = "no published reliable-change threshold: supply local norms"


# --- The partner's pages ----------------------------------------------------------------------


@dataclass
class ItemRow:
    """One question on the page: its wording, options, and the answer to show chosen."""

    item: Item
    chosen: int | None = None
    error: str = ""
    saved: int | None = None  # the answer in the server-side draft, for checkin.js

    @property
    def field_name(self) -> str:
        return f"item-{self.item.number}"


@dataclass
class CheckinPage:
    administration: Administration
    inst: Instrument
    position: int
    count: int
    rows: list[ItemRow]
    errors: list[ItemRow] = field(default_factory=list)
    problem: str = ""
    unanswered: list[int] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(row.chosen is not None for row in self.rows)


def _own_offered(
    partner: Partner, administration_id: uuid.UUID
) -> tuple[Administration, Instrument]:
    """Return one of the partner's own administrations that can be shown, or raise Http404."""
    administration = access.get_administration_for_partner(partner, administration_id)
    try:
        inst = scoring.instrument(administration.instrument_code)
    except psychometrics.ScoringError as exc:
        raise Http404("Not found.") from exc
    if not has_wording(inst):
        raise Http404("Not found.")
    return administration, inst


def _position(partner: Partner, administration: Administration) -> tuple[int, int]:
    """Return (number, of how many) of this check-in among the partner's open ones."""
    ids = [a.id for a in open_checkins(partner)]
    if administration.id not in ids:
        return 1, 1
    return ids.index(administration.id) + 1, len(ids)


def _render_checkin(
    request: HttpRequest,
    partner: Partner,
    administration: Administration,
    inst: Instrument,
    *,
    chosen: dict[int, int | None] | None = None,
    item_errors: dict[int, str] | None = None,
    problem: str = "",
    unanswered: list[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    saved = actions.draft_answers(administration)
    answers: dict[int, int | None] = dict(saved)
    answers.update({n: v for n, v in (chosen or {}).items() if v is not None})
    item_errors = item_errors or {}
    rows = [
        ItemRow(
            item,
            answers.get(item.number),
            item_errors.get(item.number, ""),
            saved.get(item.number),
        )
        for item in inst.items
    ]
    position, count = _position(partner, administration)
    page = CheckinPage(
        administration,
        inst,
        position,
        count,
        rows,
        errors=[row for row in rows if row.error],
        problem=problem,
        unanswered=unanswered or [],
    )
    return render(request, "assessments/checkin.html", {"page": page}, status=status)


@require_safe
@session.partner_required
def checkin_list(request: HttpRequest, partner: Partner) -> HttpResponse:
    """List the partner's own open check-ins, by neutral number only."""
    return render(request, "assessments/checkin_list.html", {"checkins": open_checkins(partner)})


@require_safe
@session.partner_required
def checkin(request: HttpRequest, partner: Partner, administration_id: uuid.UUID) -> HttpResponse:
    """Show one check-in, with the answers saved so far already chosen."""
    administration, inst = _own_offered(partner, administration_id)
    if administration.status == Administration.Status.SUBMITTED:
        return redirect("checkin_receipt", administration_id=administration.id)
    if not administration.is_open:
        messages.info(request, "That check-in is no longer open.")
        return redirect("checkin_list")
    return _render_checkin(request, partner, administration, inst)


def _parse_answers(
    inst: Instrument, data: QueryDict
) -> tuple[dict[int, int | None], dict[int, str]]:
    """Return ({item number: value or None}, {item number: error}) from a posted form."""
    answers: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    for item in inst.items:
        raw = data.get(f"item-{item.number}", "")
        if raw == "":
            answers[item.number] = None
        elif VALUE_RE.fullmatch(raw) and int(raw) in item.values:
            answers[item.number] = int(raw)
        else:
            errors[item.number] = "That answer is not one of the choices: please choose again."
    return answers, errors


@require_POST
@session.partner_required
def checkin_submit(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> HttpResponse:
    """Submit the whole check-in once (the plain-form path, and the final step with JS).

    Bad input is answered with 400 and the page again, with every valid choice still chosen;
    nothing is saved then. Unanswered questions are pointed out once before finishing.
    """
    administration, inst = _own_offered(partner, administration_id)
    answers, errors = _parse_answers(inst, request.POST)
    if errors:
        return _render_checkin(
            request,
            partner,
            administration,
            inst,
            chosen=answers,
            item_errors=errors,
            problem="Some answers could not be read. Nothing was sent: please check them.",
            status=400,
        )
    key = request.POST.get("submission_key", "")
    if administration.is_open and request.POST.get("finish") != "anyway":
        saved = actions.draft_answers(administration)
        missing = [
            item.number
            for item in inst.items
            if not item.conditional
            and answers.get(item.number) is None
            and item.number not in saved
        ]
        if missing:
            return _render_checkin(
                request, partner, administration, inst, chosen=answers, unanswered=missing
            )
    try:
        actions.submit_administration(partner, administration.id, key, answers)
    except AssessmentError as exc:
        if exc.status == 409:
            return render(
                request, "assessments/checkin_closed.html", {"message": str(exc)}, status=409
            )
        return _render_checkin(
            request, partner, administration, inst, chosen=answers, problem=str(exc), status=400
        )
    return redirect("checkin_receipt", administration_id=administration.id)


@require_POST
@session.partner_required
def checkin_autosave(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> JsonResponse:
    """Save one answer to the server-side draft; answer JSON only after the commit."""
    administration, inst = _own_offered(partner, administration_id)
    raw_item = request.POST.get("item", "")
    raw_value = request.POST.get("value", "")
    if not ITEM_RE.fullmatch(raw_item) or not 1 <= int(raw_item) <= len(inst.items):
        return JsonResponse({"error": "There is no such question."}, status=400)
    if raw_value != "" and not VALUE_RE.fullmatch(raw_value):
        return JsonResponse({"error": "That answer is not one of the choices."}, status=400)
    item_number = int(raw_item)
    value = None if raw_value == "" else int(raw_value)
    try:
        administration = actions.save_draft_answer(partner, administration.id, item_number, value)
    except AssessmentError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    answered = administration.draft_answers.count()
    return JsonResponse({"saved": True, "item": item_number, "answered": answered})


@require_safe
@session.partner_required
def checkin_receipt(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> HttpResponse:
    """Thank the partner; show crisis resources at once if an answer raised a risk flag.

    Never a score, a band or a flag's words: the respondent sees only that help is there.
    """
    administration, _ = _own_offered(partner, administration_id)
    submission = Submission.objects.filter(administration=administration).first()
    if submission is None:
        return redirect("checkin", administration_id=administration.id)
    context: dict[str, Any] = {"next_checkins": open_checkins(partner), "show_crisis": False}
    if submission.has_risk_flag:
        context["show_crisis"] = True
        context["resources"] = list(administration.couple.clinic.crisis_resources.all())
    return render(request, "assessments/checkin_receipt.html", context)


# --- The clinician's page ---------------------------------------------------------------------


@dataclass
class AnswerRow:
    number: int
    text: str
    label: str
    value: int | None


@dataclass
class ChangeRow:
    """Change on the primary scale since the first submission of the same instrument."""

    baseline: Submission | None = None
    result: psychometrics.ChangeResult | None = None
    note: str = ""


@dataclass
class AdministrationRow:
    administration: Administration
    inst: Instrument | None
    submission: Submission | None = None
    answers: list[AnswerRow] = field(default_factory=list)
    change: ChangeRow | None = None

    @property
    def risk_flags(self) -> list[dict[str, Any]]:
        return [f for f in self.submission.flags if f.get("risk")] if self.submission else []

    @property
    def other_flags(self) -> list[dict[str, Any]]:
        return [f for f in self.submission.flags if not f.get("risk")] if self.submission else []

    @property
    def is_screen(self) -> bool:
        """A screen has an outcome and no total (the ASQ): show the outcome, not "Incomplete"."""
        return self.inst is not None and self.inst.primary is None

    @property
    def other_scales(self) -> list[tuple[str, float | None]]:
        """The non-primary scales by their name (never a raw key), with their scores."""
        if self.submission is None or self.inst is None:
            return []
        scores = self.submission.scores
        return [
            (scale.name, scores.get(scale.code))
            for scale in self.inst.scales
            if scale.code != self.inst.primary and scale.code in scores
        ]


@dataclass
class PartnerResults:
    partner: Partner
    rows: list[AdministrationRow]


def _label_for(item: Item, value: int | None) -> str:
    if value is None:
        return "Not answered"
    for option in item.options:
        if option.value == value:
            return option.label
    return f"Unknown answer ({value})"


def _change(inst: Instrument, submission: Submission, baseline: Submission | None) -> ChangeRow:
    if baseline is None or baseline.pk == submission.pk:
        return ChangeRow(note="First submission: the baseline for later change.")
    if inst.primary is None:
        return ChangeRow(baseline, note="No total score: change is judged per scale.")
    if baseline.total is None or submission.total is None:
        return ChangeRow(baseline, note="Not comparable: one of the two is incomplete.")
    try:
        result = psychometrics.assess_change(inst, baseline.total, submission.total)
    except psychometrics.ChangeNotAvailable:
        return ChangeRow(baseline, note=NO_THRESHOLD)
    except psychometrics.ScoringError as exc:
        return ChangeRow(baseline, note=f"Not comparable: {exc}")
    return ChangeRow(baseline, result)


def _results(
    administrations: QuerySet[Administration], partners: list[Partner]
) -> list[PartnerResults]:
    rows_by_partner: dict[uuid.UUID, list[AdministrationRow]] = {p.id: [] for p in partners}
    baselines: dict[tuple[uuid.UUID, str], Submission] = {}
    for administration in administrations.order_by("due_at", "created_at", "id"):
        try:
            inst: Instrument | None = scoring.instrument(administration.instrument_code)
        except psychometrics.ScoringError:
            inst = None
        submission = getattr(administration, "submission", None)
        row = AdministrationRow(administration, inst, submission)
        if submission is not None and inst is not None:
            row.answers = [
                AnswerRow(
                    item.number,
                    item.text or item.topic,
                    _label_for(item, submission.answer_for(item.number)),
                    submission.answer_for(item.number),
                )
                for item in inst.items
            ]
            key = (administration.partner_id, administration.instrument_code)
            earlier = baselines.get(key)
            if earlier is None or submission.submitted_at < earlier.submitted_at:
                baselines[key] = submission
        rows_by_partner.setdefault(administration.partner_id, []).append(row)
    for rows in rows_by_partner.values():
        for row in rows:
            if row.submission is not None and row.inst is not None:
                key = (row.administration.partner_id, row.administration.instrument_code)
                row.change = _change(row.inst, row.submission, baselines.get(key))
    return [PartnerResults(p, rows_by_partner[p.id]) for p in partners]


@dataclass
class OccasionRow:
    """One occasion of the case's schedule, for the "Schedule the … set" buttons."""

    occasion: str
    label: str
    codes: list[str]
    is_own: bool


@dataclass
class PinRow:
    partner: Partner
    has_pin: bool
    form: SetPinForm


def _render_case(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    form: ScheduleForm | None = None,
    status: int = 200,
    *,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    bound = bound or {}
    partners = list(couple.partners.order_by("role"))
    administrations = (
        access.administrations_for_clinician(request.user)
        .filter(couple=couple)
        .select_related("partner", "submission")
    )
    results = _results(administrations, partners)
    if any(r.submission and r.administration.is_risk for g in results for r in g.rows):
        with transaction.atomic():
            # Risk screens are safety-restricted: every view is recorded (DOMAIN 4.6 point 7).
            audit.log(
                actor=request.user,
                action="assessments.risk_results.view",
                obj=couple,
                clinic_id=couple.clinic_id,
            )
    sets, own = schedule.case_schedule(couple)
    occasions = [OccasionRow(o.value, o.label, sets[o.value], o.value in own) for o in Occasion]
    pinned = LinkPin.objects.filter(partner__in=partners).values_list("partner_id", flat=True)
    with_pin = set(pinned)
    pins = [
        PinRow(
            p,
            p.id in with_pin,
            cast(SetPinForm, bound.get(f"pin-{p.role}"))
            or SetPinForm(prefix=f"pin-{p.role}", auto_id=f"pin-{p.role}-%s"),
        )
        for p in partners
    ]
    context = {
        "couple": couple,
        "form": form or ScheduleForm(couple),
        "results": results,
        "occasions": occasions,
        "has_own_schedule": bool(own),
        "sets_form": bound.get("sets")
        or OccasionSetsForm(initial=sets, prefix="case", clinic_id=couple.clinic_id),
        "pins": pins,
        "not_yet_offered": schedule.NOT_YET_OFFERED,
    }
    return render(request, "assessments/case_checkins.html", context, status=status)


@require_safe
def case_checkins(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show each partner's check-ins and results, and the form to schedule one."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    return _render_case(request, couple)


@require_POST
def schedule_checkin(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Schedule a questionnaire for both partners or one (never one for a risk instrument)."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = ScheduleForm(couple, request.POST)
    if not form.is_valid():
        return _render_case(request, couple, form, status=400)
    who = form.cleaned_data["who"]
    try:
        scheduled = actions.schedule_instrument(
            request.user,
            couple.id,
            form.cleaned_data["instrument"],
            occasion=form.cleaned_data["occasion"],
            partner_ids=None if who == BOTH else [who],
        )
    except AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, couple, form, status=exc.status)
    names = " and ".join(a.partner.display_name for a in scheduled)
    messages.success(request, f"{scheduled[0].instrument_code} scheduled for {names}.")
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def cancel_checkin(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, administration_id: uuid.UUID
) -> HttpResponse:
    """Cancel an open check-in (a risk instrument's twin is cancelled with it)."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    administration = access.get_administration_for_clinician(request.user, administration_id)
    if administration.couple_id != couple.id:
        raise Http404("Not found.")
    try:
        actions.cancel_administration(request.user, administration.id)
    except AssessmentError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"{administration.instrument_code} cancelled.")
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def apply_schedule(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Schedule one occasion's whole set for the case (risk instruments for both partners)."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = ApplyScheduleForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "Choose one of the occasions.")
        return _render_case(request, couple, status=400)
    occasion = Occasion(form.cleaned_data["occasion"])
    try:
        scheduled = actions.apply_schedule(request.user, couple.id, occasion.value)
    except AssessmentError as exc:
        messages.warning(request, str(exc))
        return _render_case(request, couple, status=exc.status)
    codes = ", ".join(dict.fromkeys(a.instrument_code for a in scheduled))
    messages.success(request, f"{occasion.label} set scheduled: {codes}.")
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def case_schedule(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Give this case its own sets where they differ from the clinic's default."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = OccasionSetsForm(request.POST, prefix="case", clinic_id=couple.clinic_id)
    if not form.is_valid():
        return _render_case(request, couple, status=400, bound={"sets": form})
    try:
        actions.set_case_schedule(request.user, couple.id, form.cleaned_data)
    except AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, couple, status=exc.status, bound={"sets": form})
    messages.success(request, "This case's schedule is saved.")
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def case_schedule_reset(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Return the case to the clinic's default schedule."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    actions.reset_case_schedule(request.user, couple.id)
    messages.success(request, "This case follows the clinic's default schedule again.")
    return redirect("case_checkins", couple_id=couple.id)


def _case_partner(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> tuple[Couple, Partner]:
    couple = access.get_couple_for_clinician(request.user, couple_id)
    partner = access.get_partner_for_clinician(request.user, partner_id)
    if partner.couple_id != couple.id:
        raise Http404("Not found.")
    return couple, partner


@require_POST
def set_link_pin(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Set or change the PIN a partner enters after opening any of their private links."""
    couple, partner = _case_partner(request, couple_id, partner_id)
    prefix = f"pin-{partner.role}"
    form = SetPinForm(request.POST, prefix=prefix, auto_id=f"{prefix}-%s")
    if not form.is_valid():
        return _render_case(request, couple, status=400, bound={prefix: form})
    try:
        portal_actions.set_link_pin(request.user, partner.id, form.cleaned_data["pin"])
    except ActionError as exc:
        form.add_error("pin", str(exc))
        return _render_case(request, couple, status=400, bound={prefix: form})
    messages.success(
        request, f"PIN saved for {partner.display_name}. Tell them in person: it is never sent."
    )
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def clear_link_pin(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Stop asking a partner for a PIN."""
    couple, partner = _case_partner(request, couple_id, partner_id)
    if portal_actions.clear_link_pin(request.user, partner.id):
        messages.success(request, f"{partner.display_name}'s links no longer ask for a PIN.")
    return redirect("case_checkins", couple_id=couple.id)


# --- The clinic's default schedule and reminders (clinic admins) ------------------------------


def _render_settings(
    request: AuthenticatedHttpRequest,
    *,
    sets_form: OccasionSetsForm | None = None,
    reminders_form: ReminderSettingsForm | None = None,
    approve_form: ApproveInstrumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic = actions.get_settings_clinic(request.user)
    current = actions.checkin_settings(clinic.id)
    context = {
        "clinic": clinic,
        "sets_form": sets_form
        or OccasionSetsForm(
            initial=schedule.clinic_schedule(clinic.id), prefix="clinic", clinic_id=clinic.id
        ),
        "reminders_form": reminders_form
        or ReminderSettingsForm(
            initial={
                "remind_after_days": current.remind_after_days,
                "max_reminders": current.max_reminders,
            },
            prefix="reminders",
        ),
        "not_yet_offered": schedule.NOT_YET_OFFERED,
        "outside_catalogue": _outside_catalogue(clinic, approve_form),
    }
    return render(request, "assessments/schedule_settings.html", context, status=status)


@dataclass
class OutsideCatalogueRow:
    """One instrument a clinic may offer outside the default catalogue, and its state there."""

    instrument: Instrument
    approval: InstrumentApproval | None
    form: ApproveInstrumentForm


def _outside_catalogue(
    clinic: Clinic, bound: ApproveInstrumentForm | None
) -> list[OutsideCatalogueRow]:
    approvals = {
        a.instrument_code: a for a in clinic.instrument_approvals.select_related("approved_by")
    }
    rows = []
    for inst in checkins.approvable_instruments():
        form = ApproveInstrumentForm(
            initial={"instrument": inst.code}, auto_id=f"approve-{inst.code}-%s"
        )
        if bound is not None and bound.data.get("instrument") == inst.code:
            form = bound
        rows.append(OutsideCatalogueRow(inst, approvals.get(inst.code), form))
    return rows


@require_safe
def schedule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's default schedule and reminder settings (clinic admins only)."""
    return _render_settings(request)


@require_POST
def save_schedule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the clinic's default sets of questionnaires."""
    clinic = actions.get_settings_clinic(request.user)
    form = OccasionSetsForm(request.POST, prefix="clinic", clinic_id=clinic.id)
    if not form.is_valid():
        return _render_settings(request, sets_form=form, status=400)
    try:
        actions.set_clinic_schedule(request.user, form.cleaned_data)
    except AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, sets_form=form, status=exc.status)
    messages.success(request, "The clinic's default schedule is saved.")
    return redirect("schedule_settings")


@require_POST
def save_reminder_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save when and how often partners are reminded of open check-ins."""
    actions.get_settings_clinic(request.user)
    form = ReminderSettingsForm(request.POST, prefix="reminders")
    if not form.is_valid():
        return _render_settings(request, reminders_form=form, status=400)
    try:
        actions.set_reminder_settings(request.user, **form.cleaned_data)
    except AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, reminders_form=form, status=exc.status)
    messages.success(request, "Reminder settings saved.")
    return redirect(reverse("schedule_settings") + "#reminders")


@require_POST
def approve_instrument(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Offer a questionnaire outside the default catalogue at the admin's clinic."""
    clinic = actions.get_settings_clinic(request.user)
    code = request.POST.get("instrument", "")
    form = ApproveInstrumentForm(request.POST, auto_id=f"approve-{code[:20]}-%s")
    if not form.is_valid():
        return _render_settings(request, approve_form=form, status=400)
    try:
        approval = actions.approve_instrument(request.user, form.cleaned_data["instrument"])
    except AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, approve_form=form, status=exc.status)
    messages.success(
        request,
        f"{approval.instrument_code} is now offered at {clinic.name}. Its results say that its "
        "key is not verified by Rebond.",
    )
    return redirect(reverse("schedule_settings") + "#outside-catalogue")


@require_POST
def withdraw_instrument(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stop offering a questionnaire outside the default catalogue for new check-ins."""
    actions.get_settings_clinic(request.user)
    code = request.POST.get("instrument", "")[:20]
    if actions.withdraw_instrument_approval(request.user, code):
        messages.success(
            request, f"{code} is no longer offered for new check-ins; open ones stay open."
        )
    return redirect(reverse("schedule_settings") + "#outside-catalogue")
