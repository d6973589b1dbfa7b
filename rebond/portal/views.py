"""The partner's space, reached through a private link, and the clinician's invite button.

Partner pages show only the partner's own things (DOMAIN.md 7.5): never anything of the other
partner, no safety concern, no clinician note, and no case status (a safety pause must not
show, so no status shows at all).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentDocument, ConsentRecord, ContactChannel, Partner
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.portal import actions, session
from rebond.portal.forms import AgreeForm, ChoosePinForm, GoalForm, PinForm, SafeHoursForm
from rebond.portal.models import MAX_TOKEN_LENGTH, LinkPin, PrivateLink, hash_token

# --- Opening a link ---------------------------------------------------------------------------


# The links page shows the most recent ones; older links have long expired.
LINKS_SHOWN = 50


def landing(link: PrivateLink) -> str:
    """Return where an opened link leads: a reminder to the check-ins it is about, a diary
    reminder to the diary."""
    if link.purpose == PrivateLink.Purpose.REMINDER:
        return reverse("checkin_list")
    if link.purpose == PrivateLink.Purpose.DIARY:
        return reverse("diary:diary")
    return reverse("portal:home")


@login_not_required
@require_GET  # Not HEAD: a link checker's HEAD must not count as the partner opening it.
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """Swap a valid private link for a session in this browser and go to the clean address.

    The first browser to open the link (after the PIN, if the partner has one) is bound to it
    and may open it again. Any other browser is asked for the PIN or, without one, shown a
    calm page; the partner is told in their own browser (issue 15 A2).
    """
    if len(token) > MAX_TOKEN_LENGTH:
        return session.not_valid(request)
    link = (
        PrivateLink.objects.select_related("partner__couple")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or not link.can_open():
        return session.not_valid(request)
    has_pin = LinkPin.objects.filter(partner_id=link.partner_id).exists()
    key = session.browser_key_or_new(request)
    unbound = not link.browser_hash
    # With a PIN, the link is bound only once the PIN is right.
    is_own = actions.open_link(link.id, hash_token(key), bind=not has_pin)
    if has_pin:
        # The token is spent here either way: the PIN page's address holds nothing.
        session.await_pin(request, link, bind=unbound and is_own)
        return redirect("portal:pin")
    if not is_own:
        return session.opened_elsewhere(request)
    session.start(request, link, first_use=unbound)
    response = redirect(landing(link))
    session.remember_browser(response, key)
    return response


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def pin(request: HttpRequest) -> HttpResponse:
    """Ask for the partner's PIN before their space opens (only after a link was opened)."""
    link = session.pending_link(request)
    if link is None:
        return session.not_valid(request)
    # The link's partner is known, not yet proven: their language, and nothing of their own.
    session.speak_to(request, link.partner)
    if request.method != "POST":
        return render(request, "portal/pin.html", {"form": PinForm()})
    form = PinForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/pin.html", {"form": form}, status=400)
    outcome = actions.check_link_pin(link.id, form.cleaned_data["pin"])
    if outcome.is_right:
        key = session.browser_key_or_new(request)
        first_use = session.pending_binds(request) and actions.bind_link(link.id, hash_token(key))
        session.start(request, link, outcome.pin, first_use=first_use)
        response = redirect(landing(link))
        if first_use:
            session.remember_browser(response, key)
        return response
    if outcome.is_locked:
        session.end(request)
        return render(request, "portal/pin_locked.html", status=403)
    left = outcome.tries_left
    wrong = ngettext(
        "That PIN is not right. %(count)s try left before this link stops working.",
        "That PIN is not right. %(count)s tries left before this link stops working.",
        left,
    ) % {"count": left}
    form.add_error("pin", wrong)
    return render(request, "portal/pin.html", {"form": form}, status=400)


@require_POST
@session.partner_required
def choose_pin(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Let the partner choose a PIN of their own, so their space opens on another device too."""
    form = ChoosePinForm(request.POST, auto_id="choose-pin-%s")
    if not form.is_valid():
        return _render_home(request, partner, pin_form=form, status=400)
    try:
        link_pin = actions.choose_link_pin(partner, form.cleaned_data["pin"])
    except ActionError:
        messages.info(request, _("You already have a PIN. To change it, ask your therapist."))
        return redirect("portal:home")
    session.prove_pin(request, link_pin)
    messages.success(
        request, _("Your PIN is saved. We will ask for it each time a link is opened.")
    )
    return redirect("portal:home")


@require_POST
@session.partner_required
def elsewhere_seen(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Record that the partner has read that their link was opened in another browser."""
    shown = session.openings_elsewhere(request, partner)
    actions.acknowledge_openings_elsewhere(partner, [opening.id for opening in shown])
    return redirect("portal:home")


@login_not_required
@require_safe
def left(request: HttpRequest) -> HttpResponse:
    """Confirm that the partner has left their space."""
    return render(request, "portal/left.html")


@require_POST
@session.partner_required
def leave(request: HttpRequest, partner: Partner) -> HttpResponse:
    """End the private-link session and clear what the browser kept (SECURITY.md SE-03)."""
    session.end(request)
    response = redirect("portal:left")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    # Logging out makes this browser forget its links too: opening one here again takes the
    # PIN, or a new link (the promise of "Log out so no one else can open your space").
    session.forget_browser(response)
    return response


# --- The space --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    channel: ContactChannel
    form: SafeHoursForm


@dataclass(frozen=True)
class AgreementRow:
    document: ConsentDocument
    consent: ConsentRecord | None
    has_older_consent: bool


def _clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def _channel_form(channel: ContactChannel, clinic_name: str, data: Any = None) -> SafeHoursForm:
    return SafeHoursForm(
        data,
        initial={
            "safe_hours": channel.safe_hours,
            # As typed ("21:00"): the page writes the value back as it is, seconds and all.
            "safe_from": _clock(channel.safe_from),
            "safe_until": _clock(channel.safe_until),
            "may_mention_therapy": channel.may_mention_therapy,
        },
        auto_id=f"hours-{channel.id}-%s",
        clinic_name=clinic_name,
    )


def _agreements(partner: Partner) -> list[AgreementRow]:
    consents = list(partner.consents.filter(withdrawn_at=None).select_related("document"))
    rows = []
    order = list(ConsentDocument.Kind.values)  # Treatment first, research last.
    documents = sorted(
        couple_actions.current_documents().values(), key=lambda d: order.index(d.kind)
    )
    for document in documents:
        current = next((c for c in consents if c.document_id == document.id), None)
        older = any(c.document.kind == document.kind for c in consents) and current is None
        rows.append(AgreementRow(document, current, older))
    return rows


def _render_home(
    request: HttpRequest,
    partner: Partner,
    *,
    goal_form: GoalForm | None = None,
    bound_hours: tuple[uuid.UUID, SafeHoursForm] | None = None,
    pin_form: ChoosePinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    channels = []
    for channel in partner.contact_channels.order_by("created_at"):
        form = _channel_form(channel, partner.couple.clinic.name)
        if bound_hours is not None and bound_hours[0] == channel.id:
            form = bound_hours[1]
        channels.append(ChannelRow(channel, form))
    context = {
        "partner": partner,
        "goal_form": goal_form or GoalForm(initial={"intake_goal": partner.intake_goal}),
        "channels": channels,
        # The window's clock times are the clinic's, as on the consultation request form.
        "zone_name": partner.couple.clinic.timezone.replace("_", " "),
        "agreements": _agreements(partner),
        # Only what the access layer lets a partner read of an injury (never the onset).
        "injuries": access.injuries_for_partner(partner),
        # Only plans written for this partner and shared with them (never the other's).
        "plans": list(access.plans_visible_to_partner(partner)),
        # Only appointments this partner is invited to, while ahead (never the other's own).
        "appointments": access.appointments_for_partner(partner),
        # The diary, while offered or while the partner has entries to read again.
        "diary_link": access.diary_offered(partner) or access.own_diary_entries(partner).exists(),
        # Offered while the partner has no PIN: first thing in the session that exchanged the
        # link, further down afterwards (issue 15 A2).
        "pin_form": None
        if session.pin_of(partner) is not None
        else pin_form or ChoosePinForm(auto_id="choose-pin-%s"),
        "offer_pin_first": session.is_first_use(request),
    }
    return render(request, "portal/home.html", context, status=status)


@require_safe
@session.partner_required
def home(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Show the partner's own space."""
    return _render_home(request, partner)


@require_POST
@session.partner_required
def set_goal(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Record the partner's private goal, in their own words' nearest option."""
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render_home(request, partner, goal_form=form, status=400)
    couple_actions.set_intake_goal(partner, partner.id, form.cleaned_data["intake_goal"])
    messages.success(request, _("Thank you. Your answer is saved."))
    return redirect("portal:home")


@require_POST
@session.partner_required
def channel_not_safe(request: HttpRequest, partner: Partner, channel_id: uuid.UUID) -> HttpResponse:
    """Stop contact through one of the partner's own channels."""
    try:
        actions.mark_channel_not_safe(partner, channel_id)
    except ActionError as exc:
        raise Http404("Not found.") from exc
    messages.success(request, _("Done. We will not use it to contact you."))
    return redirect("portal:home")


@require_POST
@session.partner_required
def channel_hours(request: HttpRequest, partner: Partner, channel_id: uuid.UUID) -> HttpResponse:
    """Change when one of the partner's own channels may be used."""
    channel = partner.contact_channels.filter(id=channel_id).first()
    if channel is None:
        raise Http404("Not found.")
    form = _channel_form(channel, partner.couple.clinic.name, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_safe_hours(
                partner,
                channel.id,
                data["safe_hours"],
                safe_from=data["safe_from"],
                safe_until=data["safe_until"],
                may_mention_therapy=data["may_mention_therapy"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _render_home(request, partner, bound_hours=(channel.id, form), status=400)
    messages.success(request, _("Thank you. Your safe times are saved."))
    return redirect("portal:home")


# --- Agreements (consents) --------------------------------------------------------------------


def _current_document(document_id: uuid.UUID) -> ConsentDocument:
    for document in couple_actions.current_documents().values():
        if document.id == document_id:
            return document
    raise Http404("Not found.")


def _render_agreement(
    request: HttpRequest,
    partner: Partner,
    document: ConsentDocument,
    form: AgreeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    consent = partner.consents.filter(document=document, withdrawn_at=None).first()
    form = form or AgreeForm(initial={"sha256": document.sha256}, expected_sha256=document.sha256)
    context = {"partner": partner, "document": document, "consent": consent, "form": form}
    return render(request, "portal/agreement.html", context, status=status)


@require_safe
@session.partner_required
def agreement(request: HttpRequest, partner: Partner, document_id: uuid.UUID) -> HttpResponse:
    """Show one agreement's full text, and whether the partner has agreed to it."""
    return _render_agreement(request, partner, _current_document(document_id))


@require_POST
@session.partner_required
def agree(request: HttpRequest, partner: Partner, document_id: uuid.UUID) -> HttpResponse:
    """Record the partner's agreement to the exact text they were shown."""
    document = _current_document(document_id)
    form = AgreeForm(request.POST, expected_sha256=document.sha256)
    if not form.is_valid():
        return _render_agreement(request, partner, document, form, status=400)
    couple_actions.record_consent(partner, partner.id, document.id)
    messages.success(
        request, _("Thank you. You agreed to “%(title)s”.") % {"title": document.title}
    )
    return redirect("portal:home")


@require_POST
@session.partner_required
def withdraw(request: HttpRequest, partner: Partner, document_id: uuid.UUID) -> HttpResponse:
    """Withdraw the partner's agreement; the record keeps the date it ended."""
    document = _current_document(document_id)
    consent = partner.consents.filter(document=document, withdrawn_at=None).first()
    if consent is not None:
        couple_actions.withdraw_consent(partner, consent.id)
    messages.success(
        request,
        _("You have withdrawn your agreement to “%(title)s”.") % {"title": document.title},
    )
    return redirect("portal:home")


# --- The clinician's side ---------------------------------------------------------------------


@require_POST
def invite_partner(request: AuthenticatedHttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    """Invite one partner to their space, then return to the case page with what happened."""
    result = actions.invite_partner(request.user, partner_id)
    partner = access.get_partner_for_clinician(request.user, partner_id)
    if result.is_sent:
        messages.success(request, result.message)
    else:
        messages.warning(request, result.message)
    return redirect("case", couple_id=partner.couple_id)


@require_safe
def partner_links(request: AuthenticatedHttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    """List one partner's private links, newest first, each revocable while it still works."""
    partner = access.get_partner_for_clinician(request.user, partner_id)
    links = PrivateLink.objects.filter(partner=partner).order_by("-created_at")[:LINKS_SHOWN]
    return render(
        request,
        "portal/partner_links.html",
        {"partner": partner, "couple": partner.couple, "links": links},
    )


@require_POST
def revoke_link(request: AuthenticatedHttpRequest, link_id: uuid.UUID) -> HttpResponse:
    """Revoke one private link at once, then return to its partner's links."""
    try:
        link = actions.revoke_link(request.user, link_id)
    except ActionError as exc:
        raise Http404("Not found.") from exc
    messages.success(
        request,
        _("The link was revoked: it opens nothing now, and any session it opened has ended."),
    )
    return redirect("partner_links", partner_id=link.partner_id)
