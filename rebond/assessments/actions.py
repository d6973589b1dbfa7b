"""Use cases of administering instruments: schedule, autosave, submit.

Partners act through their private-link session (a `Partner` is the actor); clinicians through
the access gateway. Every write records an audit entry without any answer value in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _

import psychometrics
from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.assessments import after_submission, checkins, reminders, schedule, scoring
from rebond.assessments.models import (
    Administration,
    ClinicCheckinSettings,
    DraftAnswer,
    InstrumentApproval,
    Occasion,
    ScheduleRule,
    Submission,
)
from rebond.audit.updates import audited_update
from rebond.couples import lifecycle
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError

# --- Scheduling -------------------------------------------------------------------------------


@transaction.atomic
def schedule_instrument(
    clinician: User,
    couple_id: uuid.UUID | str,
    instrument_code: str,
    *,
    due_at: datetime | None = None,
    occasion: str = "",
    partner_ids: list[uuid.UUID | str] | None = None,
) -> list[Administration]:
    """Schedule an instrument for the couple's partners, at the same time for both.

    1. The instrument must be offered at the couple's clinic: the default catalogue (verified
       key, wording available) or an instrument the clinic approved (`approve_instrument`).
    2. A risk instrument is always scheduled for both partners with identical timing, so the
       schedule itself reveals nothing (DOMAIN 7.5 rule 4); asking for one partner is refused.
    3. Other instruments go to the partners named (both by default).
    4. Each partner is given it in their language (`checkins.language_of`). If the instrument
       has no wording in the language of any partner it would go to, nothing is scheduled
       (for neither partner): the error names the instrument and the language.
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    try:
        inst = scoring.instrument(instrument_code)
    except psychometrics.ScoringError as exc:
        raise ActionError(str(exc)) from exc
    if inst.unverified is not None and inst.code not in checkins.approved_codes(couple.clinic_id):
        raise ActionError(
            _(
                "%(instrument)s is not offered at this clinic: %(reason)s. A clinic admin can "
                "offer it after checking its key (Check-in settings)."
            )
            % {"instrument": inst.code, "reason": inst.unverified}
        )
    partners = list(couple.partners.all())
    is_risk = scoring.is_risk_instrument(inst)
    if partner_ids is not None:
        wanted = {str(p) for p in partner_ids}
        chosen = [p for p in partners if str(p.id) in wanted]
        if len(chosen) != len(wanted) or not chosen:
            raise ActionError(_("Choose partners of this couple."))
        if is_risk and len(chosen) != len(partners):
            raise ActionError(
                _(
                    "%(instrument)s includes safety questions, so it is always given to both "
                    "partners at the same time."
                )
                % {"instrument": inst.code}
            )
        partners = chosen
    languages = {p.id: checkins.language_of(p, couple.clinic) for p in partners}
    for language in dict.fromkeys(languages.values()):
        if scoring.instrument_in(inst.code, language) is None:
            raise ActionError(checkins.no_wording_message(inst.code, language))
    group = uuid.uuid4()
    when = due_at or now()
    administrations = [
        Administration.objects.create(
            couple=couple,
            partner=partner,
            instrument_code=inst.code,
            is_risk=is_risk,
            schedule_group=group,
            language=languages[partner.id],
            occasion=occasion.strip(),
            due_at=when,
            created_by=clinician,
        )
        for partner in partners
    ]
    for administration in administrations:
        audit.log(
            actor=clinician,
            action="assessments.administration.schedule",
            obj=administration,
            clinic_id=couple.clinic_id,
        )
    return administrations


# --- Answering (the partner, through their private link) --------------------------------------


def _own_open_administration(
    partner: Partner, administration_id: uuid.UUID | str
) -> Administration:
    return access.get_administration_for_partner(partner, administration_id)


def save_draft_answer(
    partner: Partner, administration_id: uuid.UUID | str, item_number: int, value: int | None
) -> None:
    """Autosave one answer (or clear it with None) to the partner's own open check-in."""
    save_draft_answer_to(_own_open_administration(partner, administration_id), item_number, value)


def save_draft_answer_to(
    administration: Administration, item_number: int, value: int | None
) -> None:
    """Autosave one answer (or clear it with None) to the server-side draft.

    `administration` must come from `access.get_administration_for_partner` in this request
    (the check-in page's autosave checks access once, then calls this). Autosave is the
    busiest request of the app, so an answer is saved by one guarded statement
    (`_upsert_while_open`) instead of a lock, a read and a write. The guarantees stay those of
    the lock: an answer saved is never lost (an upsert on (administration, item)), never lands
    in a check-in submitted or cancelled meanwhile (409), and of two saves of one item the last
    one wins.
    """
    if not administration.is_open:
        raise ActionError(_("This check-in is already completed."), status=HTTPStatus.CONFLICT)
    inst = scoring.instrument(administration.instrument_code)
    if value is None:
        _clear_while_open(administration.pk, item_number)
        return
    if not scoring.is_allowed_value(inst, item_number, value):
        raise ActionError(_("That answer is not one of the choices."))
    saved_at = now()
    if administration.status == Administration.Status.SCHEDULED:
        # The first answer starts the check-in; in the same transaction as the answer, so a
        # check-in is never "in progress" by an answer that was refused.
        with transaction.atomic():
            Administration.objects.filter(
                pk=administration.pk, status=Administration.Status.SCHEDULED
            ).update(status=Administration.Status.IN_PROGRESS, started_at=saved_at)
            saved = _upsert_while_open(administration.pk, item_number, value, saved_at)
    else:
        saved = _upsert_while_open(administration.pk, item_number, value, saved_at)
    if not saved:
        raise ActionError(_("This check-in is already completed."), status=HTTPStatus.CONFLICT)


def _upsert_while_open(
    administration_id: uuid.UUID, item_number: int, value: int, saved_at: datetime
) -> bool:
    """Insert or replace the draft answer if, and only if, the administration is still open, in
    one statement; return whether it was written.

    The administration's row is the guard. SQLite runs every write transaction alone
    (IMMEDIATE), so the statement sees a submit either wholly before or wholly after it. On
    PostgreSQL the row is read FOR SHARE: a submit holds it FOR UPDATE from before it reads
    the draft until it commits, so the upsert either lands first (and is scored) or waits, is
    re-evaluated against the submitted row, and writes nothing.
    """
    draft_table = connection.ops.quote_name(DraftAnswer._meta.db_table)
    administration_table = connection.ops.quote_name(Administration._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    # The value is sealed bound to (administration, item) as save() would seal it.
    blob = DraftAnswer._meta.get_field("value").pre_save(
        DraftAnswer(administration_id=administration_id, item_number=item_number, value=value),
        add=True,
    )
    open_statuses = Administration.OPEN_STATUSES
    with connection.cursor() as cursor:
        cursor.execute(
            # Only quoted table names and placeholders are formatted in; values are parameters.
            f"INSERT INTO {draft_table} (administration_id, item_number, value, saved_at)"  # noqa: S608
            f" SELECT id, %s, %s, %s FROM {administration_table}"
            f" WHERE id = %s AND status IN ({', '.join(['%s'] * len(open_statuses))}){lock}"
            " ON CONFLICT (administration_id, item_number)"
            " DO UPDATE SET value = excluded.value, saved_at = excluded.saved_at",
            [
                item_number,
                blob.blob,
                connection.ops.adapt_datetimefield_value(saved_at),
                Administration._meta.pk.get_db_prep_value(administration_id, connection),
                *open_statuses,
            ],
        )
        written: bool = cursor.rowcount == 1
        return written


@transaction.atomic
def _clear_while_open(administration_id: uuid.UUID, item_number: int) -> None:
    """Remove one draft answer, under the administration's lock (clearing is rare)."""
    still_open = Administration.objects.open().select_for_update().filter(pk=administration_id)
    if not still_open.exists():
        raise ActionError(_("This check-in is already completed."), status=HTTPStatus.CONFLICT)
    DraftAnswer.objects.filter(
        administration_id=administration_id, item_number=item_number
    ).delete()


def draft_answers(administration: Administration) -> dict[int, int]:
    """Return the autosaved answers of an administration, by item number."""
    return {draft.item_number: draft.value for draft in administration.draft_answers.all()}


@dataclass(frozen=True)
class SubmitOutcome:
    submission: Submission
    created: bool


def submit_administration(
    partner: Partner,
    administration_id: uuid.UUID | str,
    submission_key: uuid.UUID | str,
    answers: Mapping[int, int | None] | None = None,
) -> SubmitOutcome:
    """Submit and score an administration exactly once.

    1. The key must be the one the server issued with the form; a repeat of the same key
       returns the original submission (double clicks and retries create nothing new).
    2. `answers`, when given (the plain-form path), are saved to the draft first; the draft is
       what gets scored, so autosaved answers and posted answers can never disagree.
    3. Scoring runs through psychometrics in the same transaction as the write; the draft is
       removed only when the submission commits.
    """
    try:
        key = uuid.UUID(str(submission_key))
    except ValueError as exc:
        raise ActionError(_("This form is out of date; reload the page.")) from exc
    try:
        with transaction.atomic():
            return _submit(partner, administration_id, key, answers or {})
    except IntegrityError:
        # A concurrent submit with the same key won the race: return what it stored.
        existing = Submission.objects.filter(submission_key=key).first()
        if existing is None or existing.administration.partner_id != partner.id:
            raise
        return SubmitOutcome(existing, created=False)


def _submit(
    partner: Partner,
    administration_id: uuid.UUID | str,
    key: uuid.UUID,
    answers: Mapping[int, int | None],
) -> SubmitOutcome:
    administration = _own_open_administration(partner, administration_id)
    # The case first, before anything is audited: a HIGH answer pauses conjoint work, and a
    # clinician's move of the case locks it before auditing too (couples/lifecycle.lock_case).
    lifecycle.lock_case(administration.couple_id)
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    existing = Submission.objects.filter(administration=administration).first()
    if existing is not None:
        if existing.submission_key == key:
            return SubmitOutcome(existing, created=False)
        raise ActionError(_("This check-in was already completed."), status=HTTPStatus.CONFLICT)
    if administration.submission_key != key:
        raise ActionError(
            _("This form is out of date; reload the page."), status=HTTPStatus.CONFLICT
        )
    if not administration.is_open:
        raise ActionError(_("This check-in is no longer open."), status=HTTPStatus.CONFLICT)
    inst = scoring.instrument(administration.instrument_code)
    for item_number, value in answers.items():
        if value is not None and not scoring.is_allowed_value(inst, item_number, value):
            raise ActionError(
                _("Question %(number)s: that answer is not one of the choices.")
                % {"number": item_number}
            )
    stored = draft_answers(administration)
    stored.update({n: v for n, v in answers.items() if v is not None})
    result = scoring.score(inst, stored)
    payload = scoring.result_payload(result)
    submission = Submission.objects.create(
        administration=administration,
        submission_key=key,
        answers={str(item.number): stored.get(item.number) for item in inst.items},
        scores=payload["scores"],
        total=payload["total"],
        band=payload["band"] or "",
        flags=payload["flags"],
        complete=payload["complete"],
        missing=payload["missing"],
    )
    administration.status = Administration.Status.SUBMITTED
    administration.submitted_at = submission.submitted_at
    administration.save(update_fields=["status", "submitted_at"])
    administration.draft_answers.all().delete()
    audit.log(
        actor=partner,
        action="assessments.administration.submit",
        obj=administration,
        clinic_id=administration.couple.clinic_id,
    )
    reminders.spend_finished_links([administration.id], submission.submitted_at)
    # Alerts, then the couple's progress signal, in this same transaction: a risk answer
    # can never be stored without its alert (SECURITY.md RL-03, RL-12), nor scores without
    # their signal. The steps are named in rebond/measurement/after_submission.py.
    after_submission.run(submission)
    return SubmitOutcome(submission, created=True)


@transaction.atomic
def cancel_administration(clinician: User, administration_id: uuid.UUID | str) -> Administration:
    """Cancel an open administration (and its twin, if it is a risk instrument)."""
    administration = access.get_administration_for_clinician(clinician, administration_id)
    if not administration.is_open:
        raise ActionError(_("Only an open check-in can be cancelled."), status=HTTPStatus.CONFLICT)
    group = Administration.objects.filter(schedule_group=administration.schedule_group)
    targets = [a for a in group if a.is_open] if administration.is_risk else [administration]
    for target in targets:
        target.status = Administration.Status.CANCELLED
        target.save(update_fields=["status"])
        audit.log(
            actor=clinician,
            action="assessments.administration.cancel",
            obj=target,
            clinic_id=target.couple.clinic_id,
        )
    reminders.spend_finished_links([t.id for t in targets], now())
    return administration


# --- The default schedule (DOMAIN 8), per clinic and per case ---------------------------------

REMIND_AFTER_DAYS_RANGE = (1, 30)
MAX_REMINDERS_RANGE = (0, 10)


def get_settings_clinic(user: User) -> Clinic:
    """Return the clinic whose check-in settings the user manages (clinic admins), or 404."""
    return access.get_admin_clinic(user)


def _validated_sets(
    sets: Mapping[str, Iterable[str]], clinic_id: uuid.UUID
) -> dict[str, list[str]]:
    allowed = set(schedule.schedulable_codes(clinic_id))
    clean: dict[str, list[str]] = {}
    for occasion, codes in sets.items():
        if occasion not in Occasion.values:
            raise ActionError(_("There is no such occasion."))
        chosen = list(codes)
        if not set(chosen) <= allowed:
            raise ActionError(_("Choose questionnaires from the catalogue."))
        clean[occasion] = schedule.in_catalogue_order(chosen, clinic_id)
    return clean


def _save_level(
    actor: User,
    clinic: Clinic,
    couple: Couple | None,
    sets: Mapping[str, list[str]],
    above: Mapping[str, list[str]],
) -> list[str]:
    """Store, at one level, the occasions whose set differs from the level above.

    An occasion equal to the level above keeps no rows, so it follows later changes there.
    Return the occasions whose stored rows changed.
    """
    rows = ScheduleRule.objects.select_for_update().filter(clinic=clinic, couple=couple)
    existing = {(r.occasion, r.instrument_code): r for r in rows}
    changed: list[str] = []
    at = now()
    for occasion, chosen in sets.items():
        mine = [r for (o, _), r in existing.items() if o == occasion]
        if chosen == above[occasion]:
            for rule in mine:
                audit.log(
                    actor=actor,
                    action="assessments.schedule_rule.delete",
                    obj=rule,
                    clinic_id=clinic.id,
                )
                rule.delete()
            if mine:
                changed.append(occasion)
            continue
        touched = False
        for code in schedule.schedulable_codes(clinic.id):
            is_active = code in chosen
            found = existing.get((occasion, code))
            if found is None:
                rule = ScheduleRule.objects.create(
                    clinic=clinic,
                    couple=couple,
                    occasion=occasion,
                    instrument_code=code,
                    is_active=is_active,
                    updated_at=at,
                )
            elif found.is_active != is_active:
                rule = found
                rule.is_active = is_active
                rule.updated_at = at
                rule.save(update_fields=["is_active", "updated_at"])
            else:
                continue
            touched = True
            audit.log(
                actor=actor,
                action="assessments.schedule_rule.set",
                obj=rule,
                clinic_id=clinic.id,
                fields=["is_active"],
            )
        if touched:
            changed.append(occasion)
    return changed


@transaction.atomic
def set_clinic_schedule(admin: User, sets: Mapping[str, Iterable[str]]) -> list[str]:
    """Set the clinic's default sets of questionnaires (clinic admins only).

    Return the occasions that changed. Occasions not named are left as they are.
    """
    clinic = get_settings_clinic(admin)
    clean = _validated_sets(sets, clinic.id)
    return _save_level(admin, clinic, None, clean, schedule.default_schedule())


@transaction.atomic
def set_case_schedule(
    clinician: User, couple_id: uuid.UUID | str, sets: Mapping[str, Iterable[str]]
) -> list[str]:
    """Give one case its own sets where they differ from the clinic's default."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    clean = _validated_sets(sets, couple.clinic_id)
    return _save_level(
        clinician, couple.clinic, couple, clean, schedule.clinic_schedule(couple.clinic_id)
    )


@transaction.atomic
def reset_case_schedule(clinician: User, couple_id: uuid.UUID | str) -> int:
    """Return the case to the clinic's default schedule; return how many rows were removed."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    rules = list(ScheduleRule.objects.select_for_update().filter(couple=couple))
    for rule in rules:
        audit.log(
            actor=clinician,
            action="assessments.schedule_rule.delete",
            obj=rule,
            clinic_id=couple.clinic_id,
        )
        rule.delete()
    return len(rules)


@transaction.atomic
def apply_schedule(
    clinician: User,
    couple_id: uuid.UUID | str,
    occasion: str,
    *,
    due_at: datetime | None = None,
) -> list[Administration]:
    """Schedule every questionnaire of one occasion's set for the case, all due together.

    Each goes through `schedule_instrument`, so risk instruments reach both partners with
    identical timing. An empty set is refused rather than silently doing nothing.
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    if occasion not in Occasion.values:
        raise ActionError(_("There is no such occasion."))
    codes = schedule.case_schedule(couple)[0][occasion]
    if not codes:
        raise ActionError(
            _("The %(occasion)s set of this case has no questionnaires.")
            % {"occasion": Occasion(occasion).label}
        )
    # Whole or not at all: every questionnaire the set lacks in a partner's language is named
    # at once, rather than the first one after some others were scheduled.
    for language in sorted({checkins.language_of(p, couple.clinic) for p in couple.partners.all()}):
        lacking = [code for code in codes if scoring.instrument_in(code, language) is None]
        if lacking:
            raise ActionError(
                checkins.set_without_wording_message(
                    str(Occasion(occasion).label), lacking, language
                )
            )
    # Stored in English, whoever schedules it: exports read the standard occasion names.
    with translation.override(None):
        label = str(Occasion(occasion).label)
    when = due_at or now()
    return [
        administration
        for code in codes
        for administration in schedule_instrument(
            clinician, couple.id, code, due_at=when, occasion=label
        )
    ]


@transaction.atomic
def set_reminder_settings(
    admin: User, *, remind_after_days: int, max_reminders: int
) -> ClinicCheckinSettings:
    """Set when partners are reminded of open check-ins, and how often at most."""
    clinic = get_settings_clinic(admin)
    low, high = REMIND_AFTER_DAYS_RANGE
    if not low <= remind_after_days <= high:
        raise ActionError(_("Remind after %(low)s to %(high)s days.") % {"low": low, "high": high})
    low, high = MAX_REMINDERS_RANGE
    if not low <= max_reminders <= high:
        raise ActionError(
            _("Send %(low)s to %(high)s reminders at most.") % {"low": low, "high": high}
        )
    settings, created = ClinicCheckinSettings.objects.select_for_update().get_or_create(
        clinic=clinic
    )
    audited_update(
        settings,
        {"remind_after_days": remind_after_days, "max_reminders": max_reminders},
        admin,
        "assessments.checkin_settings.set",
        clinic_id=clinic.id,
        audit_unchanged=created,
    )
    return settings


def checkin_settings(clinic_id: uuid.UUID) -> ClinicCheckinSettings:
    """Return the clinic's reminder settings, unsaved defaults when it has none."""
    found = ClinicCheckinSettings.objects.filter(clinic_id=clinic_id).first()
    return found or ClinicCheckinSettings(clinic_id=clinic_id)


# --- Instruments outside the default catalogue (clinic admins) -------------------------------


@transaction.atomic
def approve_instrument(admin: User, instrument_code: str) -> InstrumentApproval:
    """Offer an instrument kept out of the default catalogue at the admin's clinic.

    Only an instrument out of the catalogue because part of its key is unverified, and that
    has its wording, can be approved; the reason shown to the admin is kept with the approval.
    """
    clinic = get_settings_clinic(admin)
    inst = next((i for i in checkins.approvable_instruments() if i.code == instrument_code), None)
    if inst is None or inst.unverified is None:
        raise ActionError(_("That questionnaire cannot be offered."))
    approval, created = InstrumentApproval.objects.get_or_create(
        clinic=clinic,
        instrument_code=inst.code,
        defaults={"reason_shown": inst.unverified, "approved_by": admin},
    )
    if created:
        audit.log(
            actor=admin,
            action="assessments.instrument.approve",
            obj=approval,
            clinic_id=clinic.id,
        )
    return approval


@transaction.atomic
def withdraw_instrument_approval(admin: User, instrument_code: str) -> bool:
    """Stop offering an approved instrument for new check-ins; return whether it was offered.

    Check-ins already scheduled stay as they are: a partner may be half-way through one.
    """
    clinic = get_settings_clinic(admin)
    approval = InstrumentApproval.objects.filter(
        clinic=clinic, instrument_code=instrument_code
    ).first()
    if approval is None:
        return False
    audit.log(
        actor=admin,
        action="assessments.instrument.withdraw",
        obj=approval,
        clinic_id=clinic.id,
    )
    approval.delete()
    return True
