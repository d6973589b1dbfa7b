"""Erasing a whole case, and erasing one partner's own data.

Both run in one transaction: every row to erase is collected with Django's deletion
`Collector` (so cascades are followed exactly as the schema declares them), the keys of the
collected rows' encrypted values are destroyed (`_destroy_keys`: crypto-shredding, so a backup
made before the erasure no longer opens those values either), the rows are deleted, an
`ErasureRecord` tombstone is kept and an audit entry is written. Audit entries are never
deleted (the audit trail refers to rows by id, not by foreign key, apart from the clinician who
acted, who is never erased here), so `rebond audit verify` still finds the chain intact.
Neither the tombstone nor the audit entry carries a name or a clinical value: ids, counts,
model names and a reason code.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import router, transaction
from django.db.models import Model
from django.db.models.deletion import Collector

from rebond import audit
from rebond.accounts.models import User
from rebond.alerts.models import Alert, SafetyPlan
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.assessments.models import Administration
from rebond.couples.lifecycle import lock_case
from rebond.couples.models import (
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.crypto.subjects import shred, subjects_of
from rebond.diary.models import DiaryEntry, DiaryPrompt
from rebond.intake.models import ConsultationRequest
from rebond.interop.models import BackgroundJob
from rebond.lifecycle.models import ErasureReason, ErasureRecord, ErasureRequest
from rebond.portal.models import LinkPin, PrivateLink
from rebond.shelf.models import PageAssignment
from rebond.therapy.models import CyclePosition, MarkerObservation
from rebond.therapy.models import Session as TherapySession

# A partner's own rows: what they gave, what was made for them alone, and what was derived
# from their answers. Erasing the partner erases these (and whatever cascades from them:
# submissions and drafts under a check-in, the alerts raised by their answers).
PARTNER_OWN_ROWS: tuple[tuple[type[Model], str], ...] = (
    (Administration, "partner"),  # check-ins, with their answers, drafts and scores
    (ContactChannel, "partner"),
    (ConsentRecord, "partner"),
    (DiaryEntry, "author"),
    (DiaryPrompt, "partner"),
    (PrivateLink, "partner"),
    (LinkPin, "partner"),
    (SafetyPlan, "partner"),
    (Alert, "subject_partner"),
    (AppointmentMessage, "partner"),
    (PageAssignment, "partner"),
    # The clinician's words for this partner's place in the cycle (emotions, needs) are sealed
    # under the partner's own key: once it is destroyed they could not be read, so they go.
    (CyclePosition, "partner"),
)
# Rows naming the partner that belong to the couple's clinical record and stay: the injuries
# and safety concerns both partners' therapy rests on, the clinician's marker ratings, the
# appointments they were invited to. The partner's row itself stays too, emptied of their
# name, pronouns and goal, so that these keep pointing at "partner A" or "partner B".
CASE_RECORD_ROWS: tuple[tuple[type[Model], str], ...] = (
    (Injury, "hurt_partner"),
    (Injury, "hurtful_partner"),
    (Injury, "reported_by"),
    (SafetyConcern, "subject_partner"),
    (SafetyConcern, "other_partner"),
    (MarkerObservation, "partner"),
    (TherapySession, "attendees"),
    (Appointment, "invited"),
    (ErasureRequest, "partner"),  # the request itself: who asked, when, why (no content)
)


def _destroy_keys(instances: Sequence[Model]) -> int:
    """Destroy the subject keys of these rows' encrypted values (crypto-shredding); return how
    many keys were destroyed.

    Done before the rows are deleted and inside the erasure's transaction, on purpose: an
    erased partner's row is then sealed anew with a placeholder name under a fresh key, which
    must not be the key being destroyed. Should the transaction fail afterwards, the rows are
    left unreadable rather than readable: the erasure was decided, and `reapply_erasures`
    (run by `rebond restore`) or a second attempt removes them.
    """
    return shred(subjects_of(instances))


def _collected(roots: Sequence[Model]) -> tuple[Collector, list[Model]]:
    """Return a Collector holding `roots` and every row that cascades from them, and the rows."""
    if not roots:
        return Collector(using=router.db_for_write(Couple)), []
    collector = Collector(using=router.db_for_write(type(roots[0])))
    by_model: dict[type[Model], list[Model]] = {}
    for root in roots:
        by_model.setdefault(type(root), []).append(root)
    for rows in by_model.values():  # collect() takes the rows of one model at a time
        collector.collect(rows)
    instances: list[Model] = [row for rows in collector.data.values() for row in rows]
    # Rows Django would delete with one query, unseen: load them, their keys go too.
    for queryset in collector.fast_deletes:
        instances.extend(queryset)
    return collector, instances


def _model_names(instances: Sequence[Model]) -> list[str]:
    return sorted({instance._meta.label_lower for instance in instances})


def _identity(row: Model) -> tuple[str, uuid.UUID]:
    return row._meta.label_lower, row.pk


def _record(
    kind: str,
    erased: tuple[str, uuid.UUID],
    *,
    clinic_id: uuid.UUID,
    reason: str,
    instances: Sequence[Model],
    requested_by: User | None = None,
    approved_by: User | None = None,
) -> ErasureRecord:
    """Keep the tombstone and write the audit entry of one erasure: ids, the reason code and
    the names of the models erased, never a value. `erased` is the erased row's (model label,
    id), taken before the delete (Django empties a deleted instance's primary key)."""
    object_type, object_id = erased
    record = ErasureRecord.objects.create(
        clinic_id=clinic_id,
        kind=kind,
        object_id=object_id,
        reason=reason,
        rows_erased=len(instances),
        requested_by=requested_by,
        approved_by=approved_by,
    )
    audit.log(
        actor=approved_by,
        action=f"lifecycle.{kind}.erase",
        object_type=object_type,
        object_id=str(object_id),
        clinic_id=clinic_id,
        fields=_model_names(instances),
        reason=reason,
    )
    return record


def _jobs_holding(couple: Couple) -> list[BackgroundJob]:
    """Return the background exports whose file holds the case's data (a caseload export
    lists its cases; an import into the case goes with it by CASCADE anyway). Few rows: each
    expires within BACKGROUND_FILE_HOURS, so they are filtered here, which SQLite's JSON
    columns cannot do in SQL."""
    wanted = str(couple.pk)
    jobs = BackgroundJob.objects.filter(clinic_id=couple.clinic_id).only("id", "couple_ids")
    return [job for job in jobs if wanted in job.couple_ids]


@transaction.atomic
def erase_case(couple: Couple, *, actor_or_none: User | None, reason: str) -> ErasureRecord:
    """Erase the case and every row under it; keep a tombstone and an audit entry.

    `actor_or_none` is the clinician who approved the erasure, or None for the retention
    sweep (the clinic's policy, chosen by its admin, decided). `reason` is an ErasureReason.
    """
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    # Locked before the first audit entry, as every move of a case is (couples/lifecycle.py).
    couple = lock_case(couple.pk)
    # The consultation request that became this case is the same people's words (names, what
    # happened); it points at the case with SET_NULL, so it is erased with it explicitly.
    requests = list(ConsultationRequest.objects.filter(couple_id=couple.pk))
    collector, instances = _collected([couple, *requests, *_jobs_holding(couple)])
    _destroy_keys(instances)
    erased, clinic_id = _identity(couple), couple.clinic_id
    collector.delete()
    return _record(
        ErasureRecord.Kind.CASE,
        erased,
        clinic_id=clinic_id,
        reason=reason,
        instances=instances,
        approved_by=actor_or_none,
    )


@transaction.atomic
def erase_request(request: ConsultationRequest, *, reason: str) -> ErasureRecord:
    """Erase a consultation request that never became a case (declined or spam): the
    requester's name, contact and story. A tombstone and an audit entry, ids only."""
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    request = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
    collector, instances = _collected([request])
    _destroy_keys(instances)
    erased, clinic_id = _identity(request), request.clinic_id
    collector.delete()
    return _record(
        ErasureRecord.Kind.REQUEST, erased, clinic_id=clinic_id, reason=reason, instances=instances
    )


def partner_own_rows(partner: Partner) -> list[Model]:
    """Return the partner's own rows (PARTNER_OWN_ROWS), before cascades."""
    rows: list[Model] = []
    for model, field in PARTNER_OWN_ROWS:
        rows.extend(model._default_manager.filter(**{field: partner}))
    return rows


def _erase_partner_rows(partner: Partner) -> list[Model]:
    """Delete the partner's own rows, destroy their keys and empty their name; return the
    rows erased."""
    collector, instances = _collected(partner_own_rows(partner))
    # The partner's row stays, but the values it held were theirs: their keys go too.
    _destroy_keys([*instances, partner])
    collector.delete()
    partner.display_name = f"Partner {partner.role} (erased)"
    partner.pronouns = ""
    partner.intake_goal = ""
    partner.save(update_fields=["display_name", "pronouns", "intake_goal"])
    return instances


@transaction.atomic
def erase_partner(
    partner: Partner, *, requested_by: User, approved_by: User, reason: str
) -> ErasureRecord:
    """Erase one partner's own rows and empty their name; the other partner's rows and the
    couple's record stay. Callers check who may (rebond/lifecycle/actions.py)."""
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    lock_case(partner.couple_id)
    partner = Partner.objects.get(pk=partner.pk)
    instances = _erase_partner_rows(partner)
    return _record(
        ErasureRecord.Kind.PARTNER,
        _identity(partner),
        clinic_id=partner.couple.clinic_id,
        reason=reason,
        instances=instances,
        requested_by=requested_by,
        approved_by=approved_by,
    )


def erase_restored_partners(sender: object, partner_ids: Sequence[str], **kwargs: object) -> int:
    """Erase again the partners a restored backup brought back after their erasure.

    Receives `rebond.crypto.subjects.erased_partners_present` from `reapply_erasures` (run by
    `rebond restore`): partners whose key was shredded. A backup taken before the erasure holds
    no tombstone for them and still holds their own rows (unreadable now): those rows go and
    the name is emptied, as `erase_partner` first did, with a tombstone and an audit entry
    saying why. A partner with a tombstone was restored already erased: nothing to do.
    """
    erased = 0
    for partner in Partner.objects.filter(pk__in=list(partner_ids)).select_related("couple"):
        already = ErasureRecord.objects.filter(
            kind=ErasureRecord.Kind.PARTNER, object_id=partner.pk
        ).exists()
        if already:
            continue
        with transaction.atomic():
            lock_case(partner.couple_id)
            instances = _erase_partner_rows(partner)
            _record(
                ErasureRecord.Kind.PARTNER,
                _identity(partner),
                clinic_id=partner.couple.clinic_id,
                reason=ErasureReason.RESTORED_AFTER_ERASURE,
                instances=instances,
            )
        erased += 1
    return erased
