"""The clinician's check-in pages of a case: results, scheduling, the case's question sets.

Every change goes through `rebond.assessments.actions`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST, require_safe

import psychometrics
from psychometrics import Instrument, Item
from psychometrics.model import ORIGINAL_LANGUAGE
from rebond import access, audit
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.assessments import actions, checkins, schedule, scoring
from rebond.assessments.forms import (
    BOTH,
    ApplyScheduleForm,
    OccasionSetsForm,
    ScheduleForm,
)
from rebond.assessments.models import Administration, Occasion, Submission
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.lib.language import name_of
from rebond.portal import actions as portal_actions
from rebond.portal.forms import SetPinForm
from rebond.portal.models import LinkPin

NO_THRESHOLD = gettext_noop("no published reliable-change threshold: supply local norms")


# --- The clinician's page ---------------------------------------------------------------------


@dataclass
class AnswerRow:
    """One answer as the partner was shown it: the item's and the option's words, and the value.

    `text_lang` and `label_lang` are the languages of those words ("" for the page's own).
    """

    number: int
    text: str
    label: str
    value: int | None
    text_lang: str = ""
    label_lang: str = ""


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
    def language_name(self) -> str:
        """The language it was given in, by its own name ("Español")."""
        return name_of(self.administration.language)

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


def _answer_row(item: Item, value: int | None, language: str) -> AnswerRow:
    """Return one answer in the words of `item` (worded in `language`)."""
    text = item.text or item.topic
    if value is None:
        return AnswerRow(item.number, text, _("Not answered"), value, language)
    for option in item.options:
        if option.value == value:
            return AnswerRow(item.number, text, option.label, value, language, language)
    label = _("Unknown answer (%(value)s)") % {"value": value}
    return AnswerRow(item.number, text, label, value, language)


def _change(inst: Instrument, submission: Submission, baseline: Submission | None) -> ChangeRow:
    if baseline is None or baseline.pk == submission.pk:
        return ChangeRow(note=_("First submission: the baseline for later change."))
    if inst.primary is None:
        return ChangeRow(baseline, note=_("No total score: change is judged per scale."))
    if baseline.total is None or submission.total is None:
        return ChangeRow(baseline, note=_("Not comparable: one of the two is incomplete."))
    try:
        result = psychometrics.assess_change(inst, baseline.total, submission.total)
    except psychometrics.ChangeNotAvailable:
        return ChangeRow(baseline, note=_(NO_THRESHOLD))
    except psychometrics.ScoringError as exc:
        return ChangeRow(baseline, note=_("Not comparable: %(reason)s") % {"reason": exc})
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
            # The words the partner was shown: the administration's language when the
            # instrument still has wording in it, else its original wording (or topics).
            shown = checkins.worded(administration)
            language = administration.language if shown is not None else ORIGINAL_LANGUAGE
            row.answers = [
                _answer_row(item, submission.answer_for(item.number), language)
                for item in (shown or inst).items
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
    occasions = [
        OccasionRow(o.value, str(o.label), sets[o.value], o.value in own) for o in Occasion
    ]
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
    except ActionError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, couple, form, status=exc.status)
    code = scheduled[0].instrument_code
    names = [a.partner.display_name for a in scheduled]
    if len(names) == 2:
        done = _("%(instrument)s scheduled for %(first)s and %(second)s.") % {
            "instrument": code,
            "first": names[0],
            "second": names[1],
        }
    else:
        done = _("%(instrument)s scheduled for %(names)s.") % {
            "instrument": code,
            "names": ", ".join(names),
        }
    messages.success(request, done)
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def cancel_checkin(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, administration_id: uuid.UUID
) -> HttpResponse:
    """Cancel an open check-in (a risk instrument's twin is cancelled with it)."""
    administration = access.get_administration_of_case(request.user, couple_id, administration_id)
    couple = administration.couple
    try:
        actions.cancel_administration(request.user, administration.id)
    except ActionError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request, _("%(instrument)s cancelled.") % {"instrument": administration.instrument_code}
        )
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def apply_schedule(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Schedule one occasion's whole set for the case (risk instruments for both partners)."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = ApplyScheduleForm(request.POST)
    if not form.is_valid():
        messages.warning(request, _("Choose one of the occasions."))
        return _render_case(request, couple, status=400)
    occasion = Occasion(form.cleaned_data["occasion"])
    try:
        scheduled = actions.apply_schedule(request.user, couple.id, occasion.value)
    except ActionError as exc:
        messages.warning(request, str(exc))
        return _render_case(request, couple, status=exc.status)
    codes = ", ".join(dict.fromkeys(a.instrument_code for a in scheduled))
    messages.success(
        request,
        _("%(occasion)s set scheduled: %(instruments)s.")
        % {"occasion": occasion.label, "instruments": codes},
    )
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
    except ActionError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, couple, status=exc.status, bound={"sets": form})
    messages.success(request, _("This case's schedule is saved."))
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def case_schedule_reset(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Return the case to the clinic's default schedule."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    actions.reset_case_schedule(request.user, couple.id)
    messages.success(request, _("This case follows the clinic's default schedule again."))
    return redirect("case_checkins", couple_id=couple.id)


def _case_partner(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> tuple[Couple, Partner]:
    partner = access.get_partner_of_case(request.user, couple_id, partner_id)
    return partner.couple, partner


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
        request,
        _("PIN saved for %(name)s. Tell them in person: it is never sent.")
        % {"name": partner.display_name},
    )
    return redirect("case_checkins", couple_id=couple.id)


@require_POST
def clear_link_pin(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Stop asking a partner for a PIN."""
    couple, partner = _case_partner(request, couple_id, partner_id)
    if portal_actions.clear_link_pin(request.user, partner.id):
        messages.success(
            request,
            _("%(name)s's links no longer ask for a PIN.") % {"name": partner.display_name},
        )
    return redirect("case_checkins", couple_id=couple.id)
