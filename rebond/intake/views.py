"""The public consultation request page and the clinicians' inbox of requests.

Views parse and render; every write goes through `actions.py`, and every read of requests
through `access.py` (the clinician's clinic first, a refused fetch is a 404).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access as case_access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.appointments.models import AppointmentMessage, AppointmentSettings, SessionType
from rebond.couples.models import Couple
from rebond.intake import access, actions, ratelimit, receipt
from rebond.intake.forms import ConsultationRequestForm, ConvertForm, DeclineForm, InboxFilterForm
from rebond.intake.models import ConsultationRequest
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.lib.language import supported

INBOX_PAGE_SIZE = 50


# --- Public ---------------------------------------------------------------------------------


# The receipt is shown to the browser that sent the request for this long, then no more: who
# picks up the device later must not find it (issue 15 C13). Kept in rebond/intake/receipt.py.
RECEIPT_WINDOW = receipt.RECEIPT_WINDOW
SENT_KEY = receipt.SENT_KEY
# The public pages' language switch (`?lang=es`), read by rebond/portal/locale_middleware.py.
LANGUAGE_PARAMETER = "lang"


def _language_query(request: HttpRequest) -> str:
    """Return "?lang=xx" when this page's language was chosen with the switch, else "".

    The choice travels from page to page in the address only: no cookie, nothing kept in the
    browser of someone whose partner may look at it. The form's action and the redirects carry
    it, so that errors and the receipt come back in the language chosen.
    """
    code = supported(request.GET.get(LANGUAGE_PARAMETER))
    return "?" + urlencode({LANGUAGE_PARAMETER: code}) if code else ""


def _redirect_keeping_language(request: HttpRequest, name: str, clinic: Clinic) -> HttpResponse:
    return redirect(reverse(name, kwargs={"clinic_slug": clinic.slug}) + _language_query(request))


def _appointment_settings(clinic: Clinic) -> AppointmentSettings:
    """Return the clinic's appointment settings (the defaults when it has saved none)."""
    return AppointmentSettings.objects.filter(clinic=clinic).first() or AppointmentSettings()


def _form_context(clinic: Clinic) -> dict[str, Any]:
    """Return what the form says about the clinic's messages: its zone and usual hours."""
    settings = _appointment_settings(clinic)
    return {
        "zone_name": clinic.timezone.replace("_", " "),
        "default_window": (settings.default_window_start, settings.default_window_end),
    }


@login_not_required
@require_http_methods(["GET", "POST"])
def consultation_request(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Show and take a clinic's public consultation request form (unless the clinic closed it).

    Post/Redirect/Get (issue 15 C13): a sent form is answered with a redirect to the receipt,
    so reloading the receipt, or going Back and Forward, never sends the form again.
    """
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    if not clinic.public_requests_open:
        # Closed on the clinic settings page: the page says so and shows nothing else, and a
        # request sent anyway (a form left open in a tab) is not stored.
        status = 403 if request.method == "POST" else 200
        return render(request, "intake/requests_closed.html", {"clinic": clinic}, status=status)
    context: dict[str, Any] = {
        "clinic": clinic,
        "resources": list(clinic.crisis_resources.all()),
        "language_query": _language_query(request),
        **_form_context(clinic),
    }
    if request.method != "POST":
        context["form"] = ConsultationRequestForm(clinic_name=clinic.name)
        context["submission_key"] = context["form"].key_to_render
        return render(request, "intake/request_form.html", context)

    form = ConsultationRequestForm(request.POST, clinic_name=clinic.name)
    context["form"] = form
    if not form.is_valid():
        # Everything they typed comes back with a message beside each field to fix.
        context["submission_key"] = form.key_to_render
        return render(request, "intake/request_form.html", context, status=400)
    data = form.cleaned_data
    draft = actions.RequestDraft(
        name=data["name"],
        contact_method=data["contact_method"],
        contact_value=data["contact_value"],
        safe_times=data["safe_times"],
        may_leave_message=data["may_leave_message"],
        concerns=list(data["concerns"]),
        concerns_text=data["concerns_text"],
        feels_safe=data["feels_safe"],
        safe_from=data["safe_from"],
        safe_until=data["safe_until"],
        may_mention_therapy=data["may_mention_therapy"],
    )
    try:
        sent = actions.submit_request(
            clinic,
            draft,
            rate_key=ratelimit.client_key(request, clinic),
            is_spam=form.is_honeypot_filled,
            submission_key=data["submission_key"],
        )
    except actions.RateLimitedError:
        return render(request, "intake/rate_limited.html", context, status=429)
    # Only ids and a time: what they typed or chose stays in the encrypted request.
    receipt.remember_sent(request, clinic, sent)
    return _redirect_keeping_language(request, "consultation_request_sent", clinic)


@login_not_required
@require_safe
def consultation_request_sent(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Thank the person whose request this browser just sent; otherwise show the form.

    Crisis resources are shown when they did not say they feel safe, read from the stored
    request; a dropped submission (the honeypot) has none stored, and gets them too.
    """
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    sent = receipt.receipt_for(request, clinic)
    if sent is None:
        return _redirect_keeping_language(request, "consultation_request", clinic)
    consultation = sent.request
    context = {
        "clinic": clinic,
        "resources": list(clinic.crisis_resources.all()),
        "show_crisis": consultation is None or consultation.may_be_unsafe,
        # A dropped submission (the honeypot) has no request: it is offered no time.
        "offers_time": consultation is not None and _offers_consultation_time(clinic),
        "language_query": _language_query(request),
    }
    return render(request, "intake/request_sent.html", context)


def _offers_consultation_time(clinic: Clinic) -> bool:
    """Return whether the clinic lets a requester choose a time (rebond/appointments).

    Off unless the clinic opted in and offers a free consultation; the choice itself is made
    on the appointments page this receipt links to.
    """
    if not _appointment_settings(clinic).consultation_booking:
        return False
    return SessionType.objects.filter(
        clinic=clinic, kind=SessionType.Kind.CONSULTATION, is_active=True
    ).exists()


# --- Clinicians -----------------------------------------------------------------------------


def _require_triage(request: AuthenticatedHttpRequest) -> None:
    if not access.can_triage(request.user):
        raise Http404("No inbox.")


@require_http_methods(["GET"])
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the clinic's consultation requests, newest first, filtered by status."""
    _require_triage(request)
    filter_form = InboxFilterForm(request.GET or None)
    selected = filter_form.selected()
    requests = access.requests_for_clinician(request.user)
    counts = requests.aggregate(
        all=Count("id"),
        open=Count("id", filter=Q(status__in=ConsultationRequest.OPEN_STATUSES)),
        **{
            status.value: Count("id", filter=Q(status=status.value))
            for status in ConsultationRequest.Status
        },
    )
    if selected == InboxFilterForm.OPEN:
        requests = requests.filter(status__in=ConsultationRequest.OPEN_STATUSES)
    elif selected != InboxFilterForm.ALL:
        requests = requests.filter(status=selected)
    page = Paginator(requests, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [(value, label, counts.get(value, 0)) for value, label in InboxFilterForm.STATUS_CHOICES]
    return render(
        request,
        "intake/inbox.html",
        {"page": page, "tabs": tabs, "selected": selected},
    )


def _message_state(message: AppointmentMessage, consultation: ConsultationRequest) -> str:
    """Return where a message to the requester stands, as the clinician needs to read it."""
    status = AppointmentMessage.Status
    if message.status == status.UNSENDABLE:
        if consultation.contact_method == ConsultationRequest.ContactMethod.PHONE_CALL:
            return _("Asked to be phoned: call them at a safe time")
        return _("No message may be left: call them at a safe time")
    if message.status == status.FAILED:
        return _("Could not be delivered: reach them another way, at a safe time")
    if message.status == status.SENT and message.sent_at is not None:
        # Translators: %(when)s is a day, month and time, such as "5 Mar, 14:30".
        return _("Sent %(when)s") % {"when": date_format(localtime(message.sent_at), "j M, H:i")}
    at = now()
    if message.send_after <= at:
        return _("Waiting to be sent")
    waits_until = localtime(message.send_after)
    if waits_until.date() == localtime(at).date():
        when = date_format(waits_until, "H:i")
    else:
        when = date_format(waits_until, "j M, H:i")
    # Translators: %(when)s is a time ("21:00"), or a day, month and time ("5 Mar, 21:00").
    return _("Waiting for a safe time until %(when)s") % {"when": when}


def _kind_label(kind: str) -> str:
    """Return how a message goes, in words ("e-mail", "text message"); "" for none."""
    methods = dict(ConsultationRequest.ContactMethod.choices)
    return str(methods.get(kind, "")).lower()


def _consultation_context(consultation: ConsultationRequest) -> dict[str, Any]:
    """Return the request's free consultation for its page: the time, its history, messages.

    Shown where the clinic offers free consultations, or where one was booked already.
    """
    booked = list(
        case_access.consultations_of_request(consultation.id)
        .select_related("clinician")
        .order_by("-starts_at")
    )
    at = now()
    current = next(
        (a for a in booked if a.is_upcoming and a.ends_at > at),
        None,
    )
    offered = SessionType.objects.filter(
        clinic_id=consultation.clinic_id, kind=SessionType.Kind.CONSULTATION, is_active=True
    ).exists()
    messages_to_them = case_access.messages_to_requester(consultation.id).select_related(
        "appointment"
    )
    return {
        "shows_consultation": offered or bool(booked),
        "offers_consultation": offered and consultation.status not in _CLOSED_TO_BOOKING,
        "current_consultation": current,
        "past_consultations": [a for a in booked if a is not current],
        "requester_messages": [
            (message, _kind_label(message.kind), _message_state(message, consultation))
            for message in messages_to_them
        ],
    }


# A declined request or spam is booked nothing more (rebond/appointments/consultations.py).
_CLOSED_TO_BOOKING = frozenset(
    {ConsultationRequest.Status.SPAM, ConsultationRequest.Status.DECLINED}
)


def _detail(
    request: AuthenticatedHttpRequest,
    consultation: ConsultationRequest,
    *,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic = consultation.clinic
    settings = _appointment_settings(clinic)
    return render(
        request,
        "intake/request_detail.html",
        {
            "consultation": consultation,
            "decline_form": decline_form or DeclineForm(),
            "resources": list(clinic.crisis_resources.all()) if consultation.may_be_unsafe else [],
            "case_visible": consultation.couple_id is not None
            and case_access.couples_for_clinician(request.user)
            .filter(id=consultation.couple_id)
            .exists(),
            "default_window": (settings.default_window_start, settings.default_window_end),
            "zone_name": clinic.timezone.replace("_", " "),
            **_consultation_context(consultation),
        },
        status=status,
    )


@require_http_methods(["GET"])
def request_detail(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Show one request of the clinic, with the triage actions still open."""
    _require_triage(request)
    consultation = access.get_request_for_clinician(request.user, request_id)
    return _detail(request, consultation)


def _closed(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    consultation = access.get_request_for_clinician(request.user, request_id)
    messages.error(request, _("This request has already been dealt with; nothing was changed."))
    return _detail(request, consultation, status=409)


@require_POST
def accept(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Accept a new request."""
    _require_triage(request)
    try:
        actions.accept_request(request.user, request_id)
    except actions.RequestClosedError:
        return _closed(request, request_id)
    messages.success(request, _("Request accepted. Contact the person in the way they chose."))
    return redirect("inbox_request", request_id=request_id)


@require_POST
def decline(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Decline a request, with where the person was referred."""
    _require_triage(request)
    consultation = access.get_request_for_clinician(request.user, request_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, consultation, decline_form=form, status=400)
    try:
        actions.decline_request(request.user, request_id, referral=form.cleaned_data["referral"])
    except actions.RequestClosedError:
        return _closed(request, request_id)
    messages.success(request, _("Request declined. The referral is kept with the request."))
    return redirect("inbox")


@require_POST
def spam(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Mark a request as spam."""
    _require_triage(request)
    try:
        actions.mark_spam(request.user, request_id)
    except actions.RequestClosedError:
        return _closed(request, request_id)
    messages.success(request, _("Marked as spam."))
    return redirect("inbox")


# open_case names partners' fields by role; the form names them by what they hold.
_ACTION_FIELDS = {"partner_a": "partner_a_name", "partner_b": "partner_b_name"}


def _after_conversion(
    request: AuthenticatedHttpRequest, couple: Couple, request_id: uuid.UUID
) -> HttpResponse:
    if case_access.couples_for_clinician(request.user).filter(id=couple.id).exists():
        messages.success(request, _("Case opened. Partner A's safe way of contact came with it."))
        return redirect("case", couple_id=couple.id)
    # A clinic admin who is not on the case cannot open it; the request page says where it went.
    messages.success(request, _("Case opened for the clinician you chose."))
    return redirect("inbox_request", request_id=request_id)


@require_http_methods(["GET", "POST"])
def convert(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Open a couple's case from a request: label, partners' names, primary clinician."""
    _require_triage(request)
    user = request.user
    consultation = access.get_request_for_clinician(user, request_id)
    if not consultation.is_open:
        return _closed(request, request_id)
    if request.method == "POST":
        form = ConvertForm(request.POST, clinician=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                couple = actions.convert_request_to_case(
                    user,
                    request_id,
                    label=data["label"],
                    partner_a_name=data["partner_a_name"],
                    partner_b_name=data["partner_b_name"],
                    primary_clinician=data["primary_clinician"],
                )
            except actions.RequestClosedError:
                return _closed(request, request_id)
            except ActionError as exc:
                add_action_errors(form, exc, fields=_ACTION_FIELDS)
            else:
                return _after_conversion(request, couple, request_id)
        status = 400
    else:
        form = ConvertForm(
            clinician=user,
            initial={
                "label": consultation.name,
                "partner_a_name": consultation.name,
                "primary_clinician": user if user.is_therapist else None,
            },
        )
        status = 200
    return render(
        request,
        "intake/convert.html",
        {"consultation": consultation, "form": form},
        status=status,
    )
