"""The couple's case page (the caseload is in rebond/measurement).

Views parse and render; every change goes through `rebond.couples.actions`. Each form posts
to its own URL and works without JavaScript (POST, then redirect back to the case page); with
htmx the same URL answers with the section of the page that changed. Bad input is answered with
422 and the form re-rendered with its errors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import SecretsPolicy, User
from rebond.alerts.models import Alert
from rebond.couples import actions, lifecycle
from rebond.couples.forms import (
    CaseDetailsForm,
    ChannelForm,
    ConsentForm,
    FormulationForm,
    InjuryForm,
    IntakeGoalForm,
    PartnerForm,
    TransitionForm,
    VoidInjuryForm,
    subtype_groups,
)
from rebond.couples.models import (
    ConsentDocument,
    ConsentRecord,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.couples.team_views import team_context
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.lib.language import name_of

UNPROCESSABLE = 422

# DOMAIN 4.4, in one line each: what the couple agreed to about individual disclosures.
SECRETS_POLICY_HELP: dict[str, Any] = {
    SecretsPolicy.NO_SECRETS: gettext_lazy(
        "What one partner shares individually may be brought into joint sessions, at the "
        "clinician's judgement; safety disclosures never are."
    ),
    SecretsPolicy.LIMITED_SECRETS: gettext_lazy(
        "What one partner shares individually stays private unless they agree to share it; "
        "safety disclosures are never passed on."
    ),
}


# --- The case page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    """One current consent document, and where one partner stands with it."""

    document: ConsentDocument
    granted: ConsentRecord | None = None  # active, to this exact version
    earlier: ConsentRecord | None = None  # active, to an earlier version of the same kind
    withdrawn: ConsentRecord | None = None  # the latest withdrawn one of this kind

    @property
    def state(self) -> str:
        if self.granted:
            return "granted"
        if self.earlier:
            return "earlier"
        if self.withdrawn:
            return "withdrawn"
        return "not_yet"


@dataclass
class PartnerPanel:
    partner: Partner
    form: forms.Form
    channel_form: forms.Form
    goal_form: forms.Form
    consents: list[ConsentRow]
    consent_form: forms.Form | None = None  # a refused consent, to report on the card
    open_form: str = ""  # which of the partner's forms to show open (after an error)
    saved: bool = False

    @property
    def language_name(self) -> str:
        """Return the partner's language by its own name ("Español"), or its code if unknown."""
        return name_of(self.partner.language)


@dataclass
class InjuryRow:
    injury: Injury
    form: forms.Form
    void_form: forms.Form
    saved: bool = False


@dataclass
class CaseState:
    """Everything the case page shows, fetched in a fixed number of queries."""

    couple: Couple
    partners: list[Partner]
    documents: list[ConsentDocument]
    injuries: list[Injury]
    concerns: list[SafetyConcern]
    transitions: list[Any]
    # Open alerts on the case the clinician may open, and how many others are open (C14).
    alerts: list[Alert] = field(default_factory=list)
    other_open_alerts: int = 0
    bound: dict[str, forms.Form] = field(default_factory=dict)
    # The "Case team" section (rebond/couples/team_views.py): its people and, for the primary
    # clinician and clinic admins, the forms that change it.
    team: dict[str, Any] = field(default_factory=dict)
    # The clinic's name, for the channel form's wording choice: the viewer's own clinic (the
    # case is in it), already loaded with the viewer, so the page costs no query for it.
    clinic_name: str = ""


def _consent_rows(partner: Partner, documents: list[ConsentDocument]) -> list[ConsentRow]:
    records = list(partner.consents.all())  # prefetched, oldest first
    rows = []
    for document in documents:
        same_kind = [r for r in records if r.document.kind == document.kind]
        granted = next((r for r in same_kind if r.is_active and r.document_id == document.id), None)
        earlier = next((r for r in same_kind if r.is_active), None) if granted is None else None
        withdrawn = [r for r in same_kind if not r.is_active]
        rows.append(ConsentRow(document, granted, earlier, withdrawn[-1] if withdrawn else None))
    return rows


def _load(user: User, couple_id: uuid.UUID | str) -> CaseState:
    couple = access.get_couple_for_clinician(user, couple_id)
    partners = list(
        couple.partners.prefetch_related(
            "contact_channels",
            Prefetch(
                "consents",
                queryset=ConsentRecord.objects.select_related("document", "recorded_by"),
            ),
        )
    )
    injuries = list(
        couple.injuries.select_related(
            "hurt_partner", "hurtful_partner", "reported_by", "voided_by"
        )
    )
    concerns = list(
        couple.safety_concerns.exclude(status=SafetyConcern.Status.CLOSED).select_related(
            "subject_partner", "other_partner"
        )
    )
    transitions = list(couple.transitions.select_related("by"))
    documents = sorted(
        actions.current_documents().values(),
        key=lambda d: ConsentDocument.Kind.values.index(d.kind),
    )
    alerts, other_open_alerts = access.open_alerts_on_case(user, couple)
    team = team_context(user, access.get_case_team(user, couple.id), place="case")
    return CaseState(
        couple,
        partners,
        documents,
        injuries,
        concerns,
        transitions,
        alerts,
        other_open_alerts,
        team=team,
        clinic_name=user.clinic.name if user.clinic else "",
    )


def _context(state: CaseState, *, saved: str = "", partner_open: str = "") -> dict[str, Any]:
    """Return the template context; `state.bound` holds forms re-shown with their errors."""
    couple, bound = state.couple, state.bound
    allowed = lifecycle.allowed_next_statuses(couple)
    panels = []
    for partner in state.partners:
        prefix = f"partner-{partner.role}"
        panels.append(
            PartnerPanel(
                partner=partner,
                form=bound.get(f"{prefix}-details") or PartnerForm.for_partner(partner),
                channel_form=bound.get(f"{prefix}-channel")
                or ChannelForm(prefix=f"{prefix}-channel", clinic_name=state.clinic_name),
                goal_form=bound.get(f"{prefix}-goal")
                or IntakeGoalForm(
                    initial={"intake_goal": partner.intake_goal}, prefix=f"{prefix}-goal"
                ),
                consents=_consent_rows(partner, state.documents),
                consent_form=bound.get(f"{prefix}-consent"),
                open_form=partner_open.removeprefix(f"{prefix}-")
                if partner_open.startswith(f"{prefix}-")
                else "",
                saved=saved == prefix,
            )
        )
    injury_rows = [
        InjuryRow(
            injury,
            bound.get(f"injury-{injury.id}") or FormulationForm.for_injury(injury),
            bound.get(f"void-{injury.id}") or VoidInjuryForm(injury=injury),
            saved=saved == f"injury-{injury.id}",
        )
        for injury in state.injuries
    ]
    subtypes_url = reverse("injury_subtypes", args=[couple.id])
    injury_form = bound.get("injury") or InjuryForm(
        partners=state.partners, subtypes_url=subtypes_url
    )
    move_form = bound.get("move") or TransitionForm(allowed=allowed)
    return {
        **state.team,
        "couple": couple,
        "partners": state.partners,
        "partner_panels": panels,
        "injury_rows": injury_rows,
        "injury_form": injury_form,
        "subtype_groups": injury_form.subtype_groups(),  # type: ignore[attr-defined]
        "concerns": state.concerns,
        "open_alerts": state.alerts,
        "other_open_alerts": state.other_open_alerts,
        "transitions": state.transitions,
        "details_form": bound.get("case") or CaseDetailsForm.for_couple(couple),
        "secrets_policy_help": SECRETS_POLICY_HELP.get(couple.secrets_policy, ""),
        "secrets_policies": [
            (label, SECRETS_POLICY_HELP[value]) for value, label in SecretsPolicy.choices
        ],
        "move_form": move_form,
        "allowed_next": allowed,
        "show_override": "move" in bound
        and bool(bound["move"].non_field_errors() or bound["move"].data.get("move-override")),
        "saved": saved,
    }


@require_safe
def case(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show one couple's case, if the clinician works on it."""
    state = _load(request.user, couple_id)
    return render(request, "couples/case.html", _context(state))


def _section_response(
    request: AuthenticatedHttpRequest,
    state: CaseState,
    section: str,
    *,
    status: int = 200,
    saved: str = "",
    partner: Partner | None = None,
    partner_open: str = "",
) -> HttpResponse:
    """Answer htmx with one section (and the header and safety panel, out of band)."""
    context = _context(state, saved=saved, partner_open=partner_open)
    if partner is not None:
        context["panel"] = next(p for p in context["partner_panels"] if p.partner == partner)
    body = render_to_string(f"couples/case.html#{section}", context, request)
    if status < 400:
        oob = {**context, "oob": True}
        body += render_to_string("couples/case.html#head", oob, request)
        body += render_to_string("couples/case.html#safety", oob, request)
        # htmx sets the window title from a top-level <title>: it follows a renamed case.
        body += format_html("<title>{} · Rebond</title>", state.couple.label)
    return HttpResponse(body, status=status)


def _respond(
    request: AuthenticatedHttpRequest,
    couple_id: uuid.UUID,
    section: str,
    *,
    bound: dict[str, forms.Form] | None = None,
    saved: str = "",
    partner_id: uuid.UUID | None = None,
    partner_open: str = "",
    message: str = "",
) -> HttpResponse:
    """Answer a POST: 422 with the form's errors, or the changed section, or a redirect."""
    state = _load(request.user, couple_id)
    state.bound = bound or {}
    partner = next((p for p in state.partners if p.id == partner_id), None)
    status = UNPROCESSABLE if bound else 200
    if request.headers.get("HX-Request"):
        return _section_response(
            request,
            state,
            section,
            status=status,
            saved=saved,
            partner=partner,
            partner_open=partner_open,
        )
    if bound:
        context = _context(state, partner_open=partner_open)
        return render(request, "couples/case.html", context, status=status)
    messages.success(request, message or _("Saved."))
    anchor = f"partner-{partner.role}" if partner else section
    return HttpResponseRedirect(reverse("case", args=[couple_id]) + f"#{anchor}")


@require_POST
def update_case_details(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Change the case's label, agreement, secrets policy or modality."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = CaseDetailsForm(request.POST, prefix="case")
    if form.is_valid():
        try:
            actions.update_case_details(request.user, couple.id, **form.cleaned_data)
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _respond(request, couple.id, "details", bound={"case": form})
    return _respond(request, couple.id, "details", saved="details")


@require_POST
def transition_case(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Move the case along its lifecycle, or show the conditions not met yet."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = TransitionForm(request.POST, allowed=lifecycle.allowed_next_statuses(couple))
    if form.is_valid():
        try:
            actions.transition_case(
                request.user,
                couple.id,
                form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _respond(request, couple.id, "lifecycle", bound={"move": form})
    return _respond(request, couple.id, "lifecycle", saved="lifecycle", message=_("Case moved."))


def _partner_for(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> tuple[Couple, Partner]:
    partner = access.get_partner_of_case(request.user, couple_id, partner_id)
    return partner.couple, partner


@require_POST
def update_partner(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Change a partner's name, pronouns or language."""
    couple, partner = _partner_for(request, couple_id, partner_id)
    prefix = f"partner-{partner.role}"
    form = PartnerForm(request.POST, prefix=prefix, current_language=partner.language)
    if form.is_valid():
        try:
            actions.update_partner(request.user, partner.id, **form.cleaned_data)
        except ActionError as error:
            add_action_errors(form, error)
    return _partner_response(request, couple, partner, form, "details")


def _partner_response(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    partner: Partner,
    form: forms.Form | None,
    which: str,
) -> HttpResponse:
    prefix = f"partner-{partner.role}"
    if form is not None and form.errors:
        return _respond(
            request,
            couple.id,
            "partner",
            bound={f"{prefix}-{which}": form},
            partner_id=partner.id,
            partner_open=f"{prefix}-{which}",
        )
    return _respond(request, couple.id, "partner", saved=prefix, partner_id=partner.id)


@require_POST
def add_contact_channel(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Add a private contact channel to a partner."""
    couple, partner = _partner_for(request, couple_id, partner_id)
    form = ChannelForm(
        request.POST,
        prefix=f"partner-{partner.role}-channel",
        clinic_name=request.user.clinic.name if request.user.clinic else "",
    )
    if form.is_valid():
        try:
            actions.add_contact_channel(request.user, partner.id, form.draft())
        except ActionError as error:
            add_action_errors(form, error)
    return _partner_response(request, couple, partner, form, "channel")


@require_POST
def remove_contact_channel(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, channel_id: uuid.UUID
) -> HttpResponse:
    """Remove a partner's contact channel."""
    channel = access.get_channel_of_case(request.user, couple_id, channel_id)
    couple, partner = channel.partner.couple, channel.partner
    actions.remove_contact_channel(request.user, channel.id)
    return _partner_response(request, couple, partner, None, "channel")


@require_POST
def set_intake_goal(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Record a partner's private intake goal, on their word."""
    couple, partner = _partner_for(request, couple_id, partner_id)
    form = IntakeGoalForm(request.POST, prefix=f"partner-{partner.role}-goal")
    if form.is_valid():
        try:
            actions.set_intake_goal(request.user, partner.id, form.cleaned_data["intake_goal"])
        except ActionError as error:
            add_action_errors(form, error)
    return _partner_response(request, couple, partner, form, "goal")


@require_POST
def record_individual_screen(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Record that a partner's individual safety screen is done."""
    couple, partner = _partner_for(request, couple_id, partner_id)
    actions.record_individual_screen(request.user, partner.id)
    return _partner_response(request, couple, partner, None, "screen")


@require_POST
def record_consent(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Record a partner's consent to a document, on the partner's word."""
    couple, partner = _partner_for(request, couple_id, partner_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_consent(request.user, partner.id, form.cleaned_data["document"])
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        # The consent buttons carry a hidden id only: report the problem on the partner's card.
        return _respond(
            request,
            couple.id,
            "partner",
            bound={f"partner-{partner.role}-consent": form},
            partner_id=partner.id,
            partner_open=f"partner-{partner.role}-consent",
        )
    return _partner_response(request, couple, partner, None, "consent")


@require_POST
def withdraw_consent(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, consent_id: uuid.UUID
) -> HttpResponse:
    """Withdraw a partner's consent; the record stays with the date it ended."""
    record = access.get_consent_of_case(request.user, couple_id, consent_id)
    couple, partner = record.partner.couple, record.partner
    actions.withdraw_consent(request.user, record.id)
    return _partner_response(request, couple, partner, None, "consent")


@require_POST
def record_injury(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Record an injury; a threat to safety also opens a safety concern."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = InjuryForm(
        request.POST,
        partners=list(couple.partners.all()),
        subtypes_url=reverse("injury_subtypes", args=[couple.id]),
    )
    if form.is_valid():
        try:
            actions.record_injury(request.user, couple.id, form.draft())
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _respond(request, couple.id, "injuries", bound={"injury": form})
    return _respond(request, couple.id, "injuries", saved="injury", message=_("Injury recorded."))


@require_POST
def update_injury(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, injury_id: uuid.UUID
) -> HttpResponse:
    """Update the clinician's formulation of an injury and who knows of it."""
    injury = access.get_injury_of_case(request.user, couple_id, injury_id)
    couple = injury.couple
    prefix = f"injury-{injury.id}"
    form = FormulationForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            actions.update_injury_formulation(request.user, injury.id, **form.values())
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _respond(request, couple.id, "injuries", bound={prefix: form})
    return _respond(request, couple.id, "injuries", saved=prefix)


@require_POST
def void_injury(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, injury_id: uuid.UUID
) -> HttpResponse:
    """Void a wrongly recorded injury, with a reason: kept and struck through, never deleted."""
    injury = access.get_injury_of_case(request.user, couple_id, injury_id)
    couple = injury.couple
    form = VoidInjuryForm(request.POST, injury=injury)
    if form.is_valid():
        try:
            actions.void_injury(request.user, injury.id, form.cleaned_data["reason"])
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _respond(request, couple.id, "injuries", bound={f"void-{injury.id}": form})
    return _respond(request, couple.id, "injuries", message=_("Injury voided."))


@require_GET
def injury_subtypes(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Return the subtype field offering only the chosen category's subtypes (for htmx)."""
    access.get_couple_for_clinician(request.user, couple_id)
    category = request.GET.get("injury-category", "")
    context = {
        "subtype_groups": subtype_groups(category),
        "injury_form": InjuryForm(partners=[]),
    }
    return render(request, "couples/case.html#subtype", context)
