"""State changes of consultation requests. Each checks access, writes, audits, and enqueues
its side effects after commit (docs/architecture.md, "Layers")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import time

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.timezone import now

from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.appointments.models import Appointment
from rebond.couples.actions import ChannelDraft, PartnerDraft, open_case
from rebond.couples.models import Couple
from rebond.intake import ratelimit
from rebond.intake.access import get_request_for_clinician
from rebond.intake.models import ConsultationRequest
from rebond.intake.tasks import notify_clinic_of_request


class RequestClosedError(Exception):
    """The request was already declined, marked as spam or converted."""


class RateLimitedError(Exception):
    """Too many submissions from this address to this clinic within the window."""


@dataclass(frozen=True)
class RequestDraft:
    """What the public form collected, already validated."""

    name: str
    contact_method: str
    contact_value: str
    safe_times: str
    may_leave_message: bool
    feels_safe: str
    concerns: list[str] = field(default_factory=list)
    concerns_text: str = ""
    # The safe window for automated messages (clinic clock times, both or neither) and whether
    # those messages may name the clinic and what they are about.
    safe_from: time | None = None
    safe_until: time | None = None
    may_mention_therapy: bool = False


def _already_sent(clinic: Clinic, submission_key: str) -> ConsultationRequest | None:
    if not submission_key:
        return None
    return ConsultationRequest.objects.filter(clinic=clinic, submission_key=submission_key).first()


def submit_request(
    clinic: Clinic,
    draft: RequestDraft,
    *,
    rate_key: str,
    is_spam: bool = False,
    submission_key: str = "",
) -> ConsultationRequest | None:
    """Store a public consultation request and tell the clinic after commit.

    Raise RateLimitedError, saving nothing, when `rate_key` has used up its submissions. A
    submission flagged as spam (the honeypot was filled) counts against the limit but is
    dropped: nothing is stored and no one is notified; None is returned.

    `submission_key` is the form's idempotency key (issue 15 C13): a form sent again (a double
    tap, Back then Send) returns the request it already stored, counts nothing and tells no one
    again. The unique column settles two sends racing each other.
    """
    with transaction.atomic():
        existing = _already_sent(clinic, submission_key)
        if existing is not None:
            return existing
        if ratelimit.is_limited(rate_key):
            raise RateLimitedError
        ratelimit.record_hit(rate_key)
        if is_spam:
            return None
        try:
            with transaction.atomic():  # A savepoint: the transaction survives a lost race.
                request = ConsultationRequest.objects.create(
                    clinic=clinic,
                    name=draft.name,
                    contact_method=draft.contact_method,
                    contact_value=draft.contact_value,
                    safe_times=draft.safe_times,
                    may_leave_message=draft.may_leave_message,
                    safe_from=draft.safe_from,
                    safe_until=draft.safe_until,
                    may_mention_therapy=draft.may_mention_therapy,
                    concerns=list(draft.concerns),
                    concerns_text=draft.concerns_text,
                    feels_safe=draft.feels_safe,
                    consented_at=now(),
                    submission_key=submission_key or None,
                )
        except IntegrityError:
            # The same form, sent at the same moment, won the race: its request is this one.
            existing = _already_sent(clinic, submission_key)
            if existing is None:
                raise
            return existing
        audit.log(actor=None, action="intake.request.submit", obj=request, clinic_id=clinic.id)
        request_id = str(request.id)
        transaction.on_commit(lambda: notify_clinic_of_request.enqueue(request_id))
    return request


def _decide(
    clinician: User,
    request_id: uuid.UUID | str,
    status: ConsultationRequest.Status,
    action: str,
    *,
    referral: str = "",
    allowed_from: frozenset[str] = ConsultationRequest.OPEN_STATUSES,
) -> ConsultationRequest:
    with transaction.atomic():
        request = get_request_for_clinician(clinician, request_id, for_update=True)
        if request.status not in allowed_from:
            raise RequestClosedError
        request.status = status
        request.decided_at = now()
        request.decided_by = clinician
        request.referral = referral
        request.save(update_fields=["status", "decided_at", "decided_by", "referral"])
        changed = ["status", "decided_at", "decided_by"] + (["referral"] if referral else [])
        audit.log(
            actor=clinician,
            action=action,
            obj=request,
            clinic_id=request.clinic_id,
            fields=changed,
        )
    return request


def accept_request(clinician: User, request_id: uuid.UUID | str) -> ConsultationRequest:
    """Accept a new request: the clinic will contact the person."""
    return _decide(
        clinician,
        request_id,
        ConsultationRequest.Status.ACCEPTED,
        "intake.request.accept",
        allowed_from=frozenset({ConsultationRequest.Status.NEW}),
    )


def decline_request(
    clinician: User, request_id: uuid.UUID | str, *, referral: str
) -> ConsultationRequest:
    """Decline a request, recording where the person was referred (kept out of the audit)."""
    return _decide(
        clinician,
        request_id,
        ConsultationRequest.Status.DECLINED,
        "intake.request.decline",
        referral=referral,
    )


def mark_spam(clinician: User, request_id: uuid.UUID | str) -> ConsultationRequest:
    """Mark a request as spam: it leaves the inbox and no one is contacted."""
    return _decide(clinician, request_id, ConsultationRequest.Status.SPAM, "intake.request.spam")


def _is_clinic_therapist(user: User, colleague_of: User) -> bool:
    return access.is_active_colleague(user, of=colleague_of) and user.is_therapist


def convert_request_to_case(
    clinician: User,
    request_id: uuid.UUID | str,
    *,
    label: str,
    partner_a_name: str,
    partner_b_name: str,
    primary_clinician: User,
) -> Couple:
    """Open a couple's case from a request; the requester becomes partner A.

    The requester's own way of being reached becomes partner A's channel, marked safe to
    contact with their safe times, message window and wording: they chose them themselves.
    Partner B starts with no channel, so nothing can be sent to them until a clinician adds
    one and marks it safe.
    """
    if not _is_clinic_therapist(primary_clinician, clinician):
        raise Http404("No such clinician.")
    with transaction.atomic():
        request = get_request_for_clinician(clinician, request_id, for_update=True)
        if not request.is_open:
            raise RequestClosedError
        channel = ChannelDraft(
            kind=request.contact_method,
            value=request.contact_value,
            safe_to_contact=True,
            safe_hours=request.safe_times,
            may_leave_message=request.may_leave_message,
            # The window and wording the requester chose for messages about appointments.
            safe_from=request.safe_from,
            safe_until=request.safe_until,
            may_mention_therapy=request.may_mention_therapy,
        )
        couple = open_case(
            clinician,
            label=label,
            partners=[
                PartnerDraft(display_name=partner_a_name, contact_channels=[channel]),
                PartnerDraft(display_name=partner_b_name),
            ],
            primary_clinician=primary_clinician,
            source_request_id=request.id,
        )
        request.status = ConsultationRequest.Status.CONVERTED
        request.decided_at = now()
        request.decided_by = clinician
        request.couple = couple
        request.save(update_fields=["status", "decided_at", "decided_by", "couple"])
        audit.log(
            actor=clinician,
            action="intake.request.convert",
            obj=request,
            clinic_id=request.clinic_id,
            fields=["status", "decided_at", "decided_by", "couple"],
        )
        _attach_consultations_to_case(clinician, request, couple)
    return couple


def _attach_consultations_to_case(
    clinician: User, request: ConsultationRequest, couple: Couple
) -> None:
    """Put the request's consultation on the new case, so the case shows it.

    A released hold never happened and stays with the request only. Nobody is invited by
    this: who is told about which appointment stays the clinician's choice on the case.
    """
    consultations = Appointment.objects.filter(request=request).exclude(
        status=Appointment.Status.RELEASED
    )
    for appointment in consultations.select_for_update():
        appointment.couple = couple
        appointment.save(update_fields=["couple", "updated_at"])
        audit.log(
            actor=clinician,
            action="appointments.consultation.attach_case",
            obj=appointment,
            clinic_id=request.clinic_id,
            fields=["couple"],
        )
