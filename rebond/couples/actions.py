"""Use cases of the couple's case. Every write to a case goes through one of these verbs.

Each action (1) checks that the clinician may act on the case, through the access gateway;
(2) validates; (3) writes; (4) records an audit entry in the same transaction, naming the fields
changed but never their values. Views, commands and (later) the API call these functions;
they never save clinical rows themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.timezone import now
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import SecretsPolicy, User
from rebond.audit.updates import audited_update
from rebond.couples import lifecycle
from rebond.couples.consent_texts import DEFAULT_CONSENT_TEXTS
from rebond.couples.models import (
    CaseTransition,
    ConsentDocument,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.lib.clinic_time import clinic_today
from rebond.lib.errors import ActionError
from rebond.lib.language import choices as language_choices
from rebond.lib.language import supported
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls, is_phone_number


@dataclass(frozen=True)
class ChannelDraft:
    kind: str
    value: str
    safe_to_contact: bool = False
    safe_hours: str = ""
    may_leave_message: bool = False
    # The window for automated messages (clock times at the clinic; both or neither; it may
    # cross midnight, 21:00 to 07:00). None: the clinic's default window.
    safe_from: time | None = None
    safe_until: time | None = None
    # Off unless the partner said so: messages then use only the clinic's neutral wording.
    may_mention_therapy: bool = False


# The fields a channel's audit entry may name (never their values).
CHANNEL_FIELDS = (
    "kind",
    "value",
    "safe_to_contact",
    "safe_hours",
    "may_leave_message",
    "safe_from",
    "safe_until",
    "may_mention_therapy",
)


def safe_window_errors(safe_from: time | None, safe_until: time | None) -> dict[str, list[str]]:
    """Return what is wrong with a safe window: both times or neither, and two different ones.

    A window may cross midnight (21:00 to 07:00): the end before the start is not an error.
    The wording is the consultation request form's (rebond/intake/forms.py), so a person reads
    the same words wherever they set their window.
    """
    if safe_from is not None and safe_until is None:
        return {
            "safe_until": [
                _("Give the time until which a message is safe too, or leave both times empty.")
            ]
        }
    if safe_from is None and safe_until is not None:
        return {
            "safe_from": [
                _("Give the time from which a message is safe too, or leave both times empty.")
            ]
        }
    if safe_from is not None and safe_from == safe_until:
        return {"safe_until": [_("Give two different times, for example 18:00 and 20:00.")]}
    return {}


def check_safe_window(safe_from: time | None, safe_until: time | None) -> None:
    """Raise ActionError, naming the field, unless the window is both times or neither."""
    errors = safe_window_errors(safe_from, safe_until)
    if errors:
        raise ActionError(_("The safe window is incomplete."), errors)


def language_refused(code: str) -> str:
    """Return why a partner's language code is refused, naming the languages Rebond offers."""
    offered = ", ".join(f"{name} ({value})" for value, name in language_choices())
    return _("“%(code)s” is not a language Rebond offers. Choose one of: %(offered)s.") % {
        "code": code,
        "offered": offered,
    }


@dataclass(frozen=True)
class PartnerDraft:
    display_name: str
    pronouns: str = ""
    contact_channels: Sequence[ChannelDraft] = field(default_factory=tuple)


def _max_length(model: type[models.Model], name: str) -> int:
    """Return a text field's max_length, so actions refuse what PostgreSQL would reject."""
    return int(getattr(model._meta.get_field(name), "max_length", 0) or 0)


def _refuse_bidi_controls(message: str, **texts: str) -> None:
    """Refuse names and labels holding Unicode bidirectional controls (rebond/lib/text.py)."""
    errors = {name: [BIDI_MESSAGE] for name, text in texts.items() if has_bidi_controls(text)}
    if errors:
        raise ActionError(message, errors)


# --- Opening a case ---------------------------------------------------------------------------


@transaction.atomic
def open_case(
    clinician: User,
    *,
    label: str,
    partners: Sequence[PartnerDraft],
    primary_clinician: User | None = None,
    source_request_id: uuid.UUID | None = None,
) -> Couple:
    """Open a couple's case with its two partners in the clinician's clinic.

    1. The clinic is the opening clinician's; a primary clinician from elsewhere is refused.
    2. The couple starts REFERRED with the clinic's default secrets policy.
    3. Partners A and B are created in the order given, with their private channels.
    4. The first lifecycle transition and the audit entry are written with it.
    """
    clinic = clinician.clinic
    if clinic is None:
        raise ActionError(_("Only a clinician of a clinic can open a case."))
    primary = primary_clinician or clinician
    if not access.is_active_colleague(primary, of=clinician):
        raise ActionError(
            _("The primary clinician must work in your clinic."),
            {"primary_clinician": [_("Choose a clinician of your clinic.")]},
        )
    label = label.strip()
    if not label:
        raise ActionError(
            _("A case needs a label."), {"label": [_("Give the case a short label.")]}
        )
    if len(partners) != 2:
        raise ActionError(_("A couple's case has exactly two partners."))
    names = [p.display_name.strip() for p in partners]
    _refuse_bidi_controls(
        _("The case could not be opened."),
        label=label,
        partner_a=names[0],
        partner_b=names[1],
    )
    if not all(names):
        raise ActionError(
            _("Both partners need a name."),
            {
                "partner_a": [_("Enter a name.")] if not names[0] else [],
                "partner_b": [_("Enter a name.")] if not names[1] else [],
            },
        )
    couple = Couple.objects.create(
        clinic=clinic,
        label=label,
        primary_clinician=primary,
        secrets_policy=clinic.default_secrets_policy,
    )
    for role, draft, name in zip((Partner.Role.A, Partner.Role.B), partners, names, strict=True):
        partner = Partner.objects.create(
            couple=couple, role=role, display_name=name, pronouns=draft.pronouns.strip()
        )
        for channel in draft.contact_channels:
            _create_channel(partner, channel)
    lifecycle.record_opening(
        couple,
        by=clinician,
        reason="Case opened" + (" from a consultation request" if source_request_id else ""),
    )
    audit.log(actor=clinician, action="couples.case.open", obj=couple, clinic_id=couple.clinic_id)
    return couple


def _create_channel(partner: Partner, draft: ChannelDraft) -> ContactChannel:
    value = draft.value.strip()
    if draft.kind not in ContactChannel.Kind.values:
        raise ActionError(_("Unknown kind of contact channel."), {"kind": [_("Choose a kind.")]})
    if not value:
        raise ActionError(
            _("A contact channel needs a value."), {"value": [_("Enter the address or number.")]}
        )
    for name, text in (("value", value), ("safe_hours", draft.safe_hours.strip())):
        limit = _max_length(ContactChannel, name)
        if len(text) > limit:
            raise ActionError(
                _("Too long."), {name: [_("Use at most %(limit)s characters.") % {"limit": limit}]}
            )
    _refuse_bidi_controls(_("The channel could not be saved."), safe_hours=draft.safe_hours)
    check_safe_window(draft.safe_from, draft.safe_until)
    # Nothing may be offered for a private link or a message that cannot reach anyone.
    if draft.kind == ContactChannel.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError as exc:
            message = _("Enter an e-mail address such as name@example.org.")
            raise ActionError(message, {"value": [message]}) from exc
    elif not is_phone_number(value):
        message = _("Enter a phone number using digits (spaces, +, brackets and dashes are fine).")
        raise ActionError(message, {"value": [message]})
    return ContactChannel.objects.create(
        partner=partner,
        kind=draft.kind,
        value=value,
        safe_to_contact=draft.safe_to_contact,
        safe_hours=draft.safe_hours.strip(),
        may_leave_message=draft.may_leave_message,
        safe_from=draft.safe_from,
        safe_until=draft.safe_until,
        may_mention_therapy=draft.may_mention_therapy,
    )


# --- Partners, channels, goals ----------------------------------------------------------------


def _partner_for(clinician: User, partner_id: uuid.UUID | str) -> Partner:
    return access.get_partner_for_clinician(clinician, partner_id)


@transaction.atomic
def update_partner(
    clinician: User, partner_id: uuid.UUID | str, *, display_name: str, pronouns: str, language: str
) -> Partner:
    """Change a partner's name, pronouns or language (one Rebond offers, or the one they had)."""
    partner = _partner_for(clinician, partner_id)
    errors: dict[str, list[str]] = {}
    code = language.strip() or "en"
    if code != partner.language and not supported(code):
        errors["language"] = [language_refused(code)]
    if not display_name.strip():
        errors["display_name"] = [_("Enter a name.")]
    for name, value in (("display_name", display_name), ("pronouns", pronouns)):
        if has_bidi_controls(value):
            errors[name] = [BIDI_MESSAGE]
    for name, value in (
        ("display_name", display_name),
        ("pronouns", pronouns),
        ("language", language),
    ):
        limit = _max_length(Partner, name)
        if len(value.strip()) > limit:
            errors[name] = [_("Use at most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ActionError(_("The partner could not be updated."), errors)
    audited_update(
        partner,
        {
            "display_name": display_name.strip(),
            "pronouns": pronouns.strip(),
            "language": code,
        },
        clinician,
        "couples.partner.update",
        clinic_id=partner.couple.clinic_id,
    )
    return partner


@transaction.atomic
def add_contact_channel(
    clinician: User, partner_id: uuid.UUID | str, draft: ChannelDraft
) -> ContactChannel:
    """Add a private contact channel to a partner."""
    partner = _partner_for(clinician, partner_id)
    channel = _create_channel(partner, draft)
    audit.log(
        actor=clinician,
        action="couples.channel.add",
        obj=channel,
        clinic_id=partner.couple.clinic_id,
        fields=list(CHANNEL_FIELDS),
    )
    return channel


@transaction.atomic
def remove_contact_channel(clinician: User, channel_id: uuid.UUID | str) -> None:
    """Remove a contact channel (e.g. a shared e-mail address that is no longer safe)."""
    channel = access.get_channel_for_clinician(clinician, channel_id)
    clinic_id = channel.partner.couple.clinic_id
    audit.log(actor=clinician, action="couples.channel.remove", obj=channel, clinic_id=clinic_id)
    channel.delete()


@transaction.atomic
def set_intake_goal(actor: User | Partner, partner_id: uuid.UUID | str, goal: str) -> Partner:
    """Record a partner's private intake goal: by the partner themself or a clinician."""
    if isinstance(actor, Partner):
        if str(actor.id) != str(partner_id):
            raise ActionError(_("A partner can only set their own goal."))
        partner = actor
    else:
        partner = _partner_for(actor, partner_id)
    if goal not in Partner.Goal.values:
        raise ActionError(_("Unknown goal."), {"intake_goal": [_("Choose one of the options.")]})
    partner.intake_goal = goal
    partner.save(update_fields=["intake_goal"])
    audit.log(
        actor=actor,
        action="couples.partner.goal",
        obj=partner,
        clinic_id=partner.couple.clinic_id,
        fields=["intake_goal"],
    )
    return partner


@transaction.atomic
def record_individual_screen(clinician: User, partner_id: uuid.UUID | str) -> Partner:
    """Record that a partner's individual safety screen is done (a lifecycle guard)."""
    partner = _partner_for(clinician, partner_id)
    partner.individual_screen_done_at = now()
    partner.save(update_fields=["individual_screen_done_at"])
    audit.log(
        actor=clinician,
        action="couples.partner.screen_done",
        obj=partner,
        clinic_id=partner.couple.clinic_id,
        fields=["individual_screen_done_at"],
    )
    return partner


# --- Consents ---------------------------------------------------------------------------------


def current_documents() -> dict[str, ConsentDocument]:
    """Return the newest version of each consent document, by kind.

    The default texts (version 1) are seeded by a migration; if a kind has no document at all
    (a flushed test database, a clinic that deleted one), its default is restored, so consent
    can always be recorded.
    """
    newest: dict[str, ConsentDocument] = {}
    for document in ConsentDocument.objects.order_by("kind", "-published_at"):
        newest.setdefault(document.kind, document)
    for kind, title, body in DEFAULT_CONSENT_TEXTS:
        if kind not in newest:
            newest[kind], _created = ConsentDocument.objects.get_or_create(
                kind=kind, version="1", defaults={"title": title, "body": body}
            )
    return {kind: newest[kind] for kind in sorted(newest)}


@transaction.atomic
def record_consent(
    actor: User | Partner, partner_id: uuid.UUID | str, document_id: uuid.UUID | str
) -> ConsentRecord:
    """Record a partner's consent to one exact document version, with its hash."""
    if isinstance(actor, Partner):
        if str(actor.id) != str(partner_id):
            raise ActionError(_("A partner can only consent for themself."))
        partner, captured_by, recorded_by = actor, ConsentRecord.CapturedBy.SELF, None
    else:
        partner = _partner_for(actor, partner_id)
        captured_by, recorded_by = ConsentRecord.CapturedBy.CLINICIAN, actor
    try:
        document = ConsentDocument.objects.filter(id=document_id).first()
    except ValidationError:  # not a UUID at all
        document = None
    if document is None:
        raise ActionError(_("Unknown consent document."), {"document": [_("Choose a document.")]})
    active = partner.consents.filter(document=document, withdrawn_at=None).first()
    if active is not None:
        return active
    record = ConsentRecord.objects.create(
        partner=partner,
        document=document,
        document_sha256=document.sha256,
        captured_by=captured_by,
        recorded_by=recorded_by,
    )
    audit.log(
        actor=actor, action="couples.consent.grant", obj=record, clinic_id=partner.couple.clinic_id
    )
    return record


@transaction.atomic
def withdraw_consent(actor: User | Partner, consent_id: uuid.UUID | str) -> ConsentRecord:
    """Withdraw a consent: the record stays, with the date it ended."""
    if isinstance(actor, Partner):
        record = actor.consents.filter(id=consent_id).first()
        if record is None:
            raise ActionError(_("No such consent."))
    else:
        record = access.get_consent_for_clinician(actor, consent_id)
    if record.withdrawn_at is None:
        record.withdrawn_at = now()
        record.save(update_fields=["withdrawn_at"])
        audit.log(
            actor=actor,
            action="couples.consent.withdraw",
            obj=record,
            clinic_id=record.partner.couple.clinic_id,
            fields=["withdrawn_at"],
        )
    return record


# --- Injuries ---------------------------------------------------------------------------------

# A partner-facing summary is a few calm sentences, not a record (issue 15 A1).
PARTNER_SUMMARY_MAX_LENGTH = 500
VOID_REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class InjurySharing:
    """What partners may be shown of an injury: the clinician's choice for each partner."""

    with_hurt_partner: bool = False
    with_hurtful_partner: bool = False
    partner_summary: str = ""


@dataclass(frozen=True)
class InjuryDraft:
    category: str
    subtype: str
    hurt_partner_id: uuid.UUID | str
    hurtful_partner_id: uuid.UUID | str
    disclosure_state: str
    reported_by_id: uuid.UUID | str | None = None
    discovered_how: str = ""
    discovery_date: date | None = None
    onset_period: str = ""
    ongoing: bool = False
    contact_with_third_party_ongoing: bool | None = None
    is_attachment_injury: bool | None = None
    complex: bool = False
    severity_by_hurt_partner: int | None = None
    sharing: InjurySharing = field(default_factory=InjurySharing)


def _validate_sharing(
    category: str, disclosure_state: str, sharing: InjurySharing
) -> dict[str, list[str]]:
    """Check the clinician's sharing choice against who sees what (rebond/access/)."""
    errors: dict[str, list[str]] = {}
    shares = sharing.with_hurt_partner or sharing.with_hurtful_partner
    if shares and disclosure_state not in access.BOTH_PARTNERS_KNOW:
        message = _(
            "Share it only once both partners know of it: record the disclosure first"
            " (known to both, or disclosed in a joint session)."
        )
        for name in ("shared_with_hurt_partner", "shared_with_hurtful_partner"):
            if getattr(sharing, name.replace("shared_", "")):
                errors[name] = [message]
    if category == Injury.Category.SAFETY_THREAT and sharing.with_hurtful_partner:
        errors["shared_with_hurtful_partner"] = [
            _("A threat to safety is never shown to the partner recorded as causing it.")
        ]
    if len(sharing.partner_summary.strip()) > PARTNER_SUMMARY_MAX_LENGTH:
        errors["partner_summary"] = [
            _("Keep this short (at most %(limit)s characters).")
            % {"limit": PARTNER_SUMMARY_MAX_LENGTH}
        ]
    return errors


def _validate_injury(couple: Couple, draft: InjuryDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if draft.category not in Injury.Category.values:
        errors["category"] = [_("Choose a kind of injury.")]
    elif draft.subtype not in Injury.SUBTYPES[draft.category]:
        errors["subtype"] = [_("This detail does not belong to the kind chosen.")]
    if draft.disclosure_state not in Injury.Disclosure.values:
        errors["disclosure_state"] = [_("Choose who knows about it.")]
    if draft.discovered_how and draft.discovered_how not in Injury.DiscoveredHow.values:
        errors["discovered_how"] = [_("Choose how it came to light.")]
    partner_ids = {str(p) for p in couple.partners.values_list("id", flat=True)}
    for name in ("hurt_partner_id", "hurtful_partner_id"):
        if str(getattr(draft, name)) not in partner_ids:
            errors[name.removesuffix("_id")] = [_("Choose one of this couple's partners.")]
    if "hurtful_partner" not in errors and str(draft.hurt_partner_id) == str(
        draft.hurtful_partner_id
    ):
        errors["hurtful_partner"] = [
            _("The hurtful partner must be the other partner, not the one who was hurt.")
        ]
    if draft.reported_by_id is not None and str(draft.reported_by_id) not in partner_ids:
        errors["reported_by"] = [_("Choose one of this couple's partners.")]
    if (
        draft.disclosure_state == Injury.Disclosure.DISCLOSED_PRIVATELY
        and draft.reported_by_id is None
    ):
        errors["reported_by"] = [_("A private disclosure needs the partner who made it.")]
    # A date typed at the clinic is checked against the clinic's today, not the server's.
    today = clinic_today(couple.clinic)
    if draft.discovery_date is not None and draft.discovery_date > today:
        errors["discovery_date"] = [
            _("The discovery date cannot be in the future (today is %(today)s).")
            % {"today": date_format(today, "d M Y")}
        ]
    if len(draft.onset_period.strip()) > (_max_length(Injury, "onset_period")):
        errors["onset_period"] = [
            _("Keep this short (at most %(limit)s characters).") % {"limit": 120}
        ]
    severity = draft.severity_by_hurt_partner
    if severity is not None and not 0 <= severity <= 10:
        errors["severity_by_hurt_partner"] = [_("Use a number from 0 to 10.")]
    return {**errors, **_validate_sharing(draft.category, draft.disclosure_state, draft.sharing)}


@transaction.atomic
def record_injury(clinician: User, couple_id: uuid.UUID | str, draft: InjuryDraft) -> Injury:
    """Record an injury; a threat to safety also opens a clinician-only safety concern."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    errors = _validate_injury(couple, draft)
    if errors:
        raise ActionError(_("The injury could not be recorded."), errors)
    injury = Injury.objects.create(
        couple=couple,
        category=draft.category,
        subtype=draft.subtype,
        hurt_partner_id=draft.hurt_partner_id,
        hurtful_partner_id=draft.hurtful_partner_id,
        reported_by_id=draft.reported_by_id,
        disclosure_state=draft.disclosure_state,
        discovered_how=draft.discovered_how,
        discovery_date=draft.discovery_date,
        onset_period=draft.onset_period.strip(),
        ongoing=draft.ongoing,
        contact_with_third_party_ongoing=draft.contact_with_third_party_ongoing,
        is_attachment_injury=draft.is_attachment_injury,
        complex=draft.complex,
        severity_by_hurt_partner=draft.severity_by_hurt_partner,
        shared_with_hurt_partner=draft.sharing.with_hurt_partner,
        shared_with_hurtful_partner=draft.sharing.with_hurtful_partner,
        partner_summary=draft.sharing.partner_summary.strip(),
        created_by=clinician,
    )
    audit.log(
        actor=clinician, action="couples.injury.record", obj=injury, clinic_id=couple.clinic_id
    )
    if injury.category == Injury.Category.SAFETY_THREAT:
        concern = SafetyConcern.objects.create(
            couple=couple,
            subject_partner_id=draft.hurt_partner_id,
            other_partner_id=draft.hurtful_partner_id,
            type=SafetyConcern.Type.IPV,
            injury=injury,
            created_by=clinician,
        )
        audit.log(
            actor=clinician,
            action="couples.safety_concern.open",
            obj=concern,
            clinic_id=couple.clinic_id,
        )
    return injury


def _live_injury_for_clinician(clinician: User, injury_id: uuid.UUID | str) -> Injury:
    injury = access.get_injury_for_clinician(clinician, injury_id)
    if injury.is_voided:
        raise ActionError(_("This injury was voided; it can no longer be changed."))
    return injury


@transaction.atomic
def update_injury_formulation(
    clinician: User,
    injury_id: uuid.UUID | str,
    *,
    is_attachment_injury: bool | None,
    complex: bool,
    ongoing: bool,
    disclosure_state: str,
    sharing: InjurySharing | None = None,
) -> Injury:
    """Update the clinician's formulation, who knows of the injury and what partners see.

    Without `sharing`, what partners see stays as it was.
    """
    injury = _live_injury_for_clinician(clinician, injury_id)
    if sharing is None:
        sharing = InjurySharing(
            injury.shared_with_hurt_partner,
            injury.shared_with_hurtful_partner,
            injury.partner_summary,
        )
    if disclosure_state not in Injury.Disclosure.values:
        raise ActionError(
            _("Unknown disclosure state."), {"disclosure_state": [_("Choose who knows.")]}
        )
    if disclosure_state == Injury.Disclosure.DISCLOSED_PRIVATELY and injury.reported_by_id is None:
        raise ActionError(
            _("A private disclosure needs the partner who made it."),
            {"disclosure_state": [_("Record who disclosed it first.")]},
        )
    errors = _validate_sharing(injury.category, disclosure_state, sharing)
    if errors:
        raise ActionError(_("What partners see could not be saved."), errors)
    audited_update(
        injury,
        {
            "is_attachment_injury": is_attachment_injury,
            "complex": complex,
            "ongoing": ongoing,
            "disclosure_state": disclosure_state,
            "shared_with_hurt_partner": sharing.with_hurt_partner,
            "shared_with_hurtful_partner": sharing.with_hurtful_partner,
            "partner_summary": sharing.partner_summary.strip(),
        },
        clinician,
        "couples.injury.update",
        clinic_id=injury.couple.clinic_id,
    )
    return injury


@transaction.atomic
def void_injury(clinician: User, injury_id: uuid.UUID | str, reason: str) -> Injury:
    """Void a wrongly recorded injury: kept, struck through for clinicians, gone for partners."""
    injury = _live_injury_for_clinician(clinician, injury_id)
    reason = reason.strip()
    if not reason:
        raise ActionError(
            _("Say why it is voided."), {"reason": [_("Say why this injury is voided.")]}
        )
    if len(reason) > VOID_REASON_MAX_LENGTH:
        raise ActionError(
            _("The reason is too long."),
            {
                "reason": [
                    _("Keep this short (at most %(limit)s characters).")
                    % {"limit": VOID_REASON_MAX_LENGTH}
                ]
            },
        )
    injury.voided_at = now()
    injury.voided_by = clinician
    injury.void_reason = reason
    injury.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    audit.log(
        actor=clinician,
        action="couples.injury.void",
        obj=injury,
        clinic_id=injury.couple.clinic_id,
        fields=["voided_at", "voided_by", "void_reason"],
    )
    return injury


# --- The case lifecycle (DOMAIN 7.2) ----------------------------------------------------------

# The table of allowed moves and the one writer of a move are in lifecycle.py; what a clinician's
# move needs besides (guards met or overridden, a reason) is here.
S = Couple.Status
# Moves that always need a stated reason (a decision record), guards met or not.
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {(S.PAUSED_SAFETY, S.CONJOINT_ACTIVE), (S.PAUSED_SAFETY, S.INDIVIDUAL_ONLY)}
)
REASON_REQUIRED_INTO: frozenset[str] = frozenset({S.PAUSED_SAFETY, S.REFERRED_OUT, S.DROPPED_OUT})
# Consents both partners need before conjoint work (DOMAIN 7.1 ConsentRecord invariant).
CONJOINT_CONSENTS = (
    ConsentDocument.Kind.TREATMENT,
    ConsentDocument.Kind.SECRETS_POLICY,
    ConsentDocument.Kind.RISK_SCREENING_AND_LIMITS,
)


def unmet_guards(couple: Couple, to_status: str) -> list[str]:
    """Return, in plain words, each guard of DOMAIN 7.2 the move does not meet yet.

    In the active language (the clinician's): an overridden move keeps them on its transition
    row as they were shown to the clinician who overrode them.
    """
    unmet: list[str] = []
    partners = list(couple.partners.all())
    if to_status in (S.CONJOINT_ACTIVE, S.INDIVIDUAL_ONLY):
        for partner in partners:
            if partner.individual_screen_done_at is None:
                unmet.append(
                    _("%(name)s's individual safety screen is not done.")
                    % {"name": partner.display_name}
                )
    if to_status == S.CONJOINT_ACTIVE:
        versions: dict[str, set[str]] = {}
        for partner in partners:
            active = {
                c.document.kind: c.document.version
                for c in partner.consents.filter(withdrawn_at=None).select_related("document")
            }
            for kind in CONJOINT_CONSENTS:
                if kind not in active:
                    label = ConsentDocument.Kind(kind).label
                    unmet.append(
                        _("%(name)s has not consented to “%(document)s”.")
                        % {"name": partner.display_name, "document": label}
                    )
                else:
                    versions.setdefault(kind, set()).add(active[kind])
        if len(versions.get(ConsentDocument.Kind.SECRETS_POLICY, set())) > 1:
            unmet.append(_("The partners consented to different versions of the secrets policy."))
        if couple.injuries.filter(category=Injury.Category.INFIDELITY, ongoing=True).exists():
            unmet.append(_("An affair is recorded as ongoing."))
        if (
            couple.safety_concerns.exclude(status=SafetyConcern.Status.CLOSED)
            .filter(level__gte=SafetyConcern.Level.HIGH)
            .exists()
        ):
            unmet.append(_("A safety concern at HIGH or above is open."))
    if to_status in (S.TERMINATION_PLANNED, S.CLOSED):
        # Ending or closing a case needs EFT Stage 3 or an override with a reason (DOMAIN 7.2).
        # The one upward call of couples (docs/architecture.md): imported here so that the
        # module graph stays acyclic.
        from rebond.therapy.selectors import is_in_stage_three

        if not is_in_stage_three(couple):
            unmet.append(_("The couple is not recorded as being in EFT stage 3."))
    return unmet


@transaction.atomic
def transition_case(
    clinician: User,
    couple_id: uuid.UUID | str,
    to_status: str,
    *,
    reason: str = "",
    override: bool = False,
) -> CaseTransition:
    """Move a case along its lifecycle, or explain exactly why it cannot move.

    1. The move must be one the lifecycle allows from the current status.
    2. Guards (consents, individual screens, ongoing affair, open safety concern) must be met,
       unless the clinician overrides them with a reason.
    3. Some moves always need a reason (leaving a safety pause, referring out, dropping out).
    4. The transition row (append-only) and the audit entry are written with the change
       (`lifecycle.move_case`).
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    couple = lifecycle.lock_case(couple.pk)
    reason = reason.strip()
    lifecycle.refuse_unless_allowed(couple, to_status)
    unmet = unmet_guards(couple, to_status)
    if unmet and not override:
        raise ActionError(_("Not yet: %(unmet)s") % {"unmet": " ".join(unmet)}, {"": unmet})
    if (unmet or override) and not reason:
        raise ActionError(
            _("An override needs a reason."), {"reason": [_("Say why the case moves anyway.")]}
        )
    needs_reason = (
        couple.status,
        to_status,
    ) in REASON_REQUIRED or to_status in REASON_REQUIRED_INTO
    if needs_reason and not reason:
        raise ActionError(_("This move needs a reason."), {"reason": [_("Record your decision.")]})
    return lifecycle.move_case(couple, to_status, by=clinician, reason=reason, unmet_guards=unmet)


# --- Case details -----------------------------------------------------------------------------


@transaction.atomic
def update_case_details(
    clinician: User,
    couple_id: uuid.UUID | str,
    *,
    label: str,
    relationship_agreement: str,
    relationship_agreement_notes: str,
    secrets_policy: str,
    modality: str,
) -> Couple:
    """Change the case's label, relationship agreement, secrets policy or modality."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    errors: dict[str, list[str]] = {}
    label = label.strip()
    if not label:
        errors["label"] = [_("Give the case a short label.")]
    elif has_bidi_controls(label):
        errors["label"] = [BIDI_MESSAGE]
    elif len(label) > Couple._meta.get_field("label").max_length:  # type: ignore[operator]
        errors["label"] = [_("Keep the label to 120 characters or fewer.")]
    if relationship_agreement not in Couple.Agreement.values:
        errors["relationship_agreement"] = [_("Choose one of the options.")]
    if secrets_policy not in SecretsPolicy.values:
        errors["secrets_policy"] = [_("Choose one of the policies.")]
    if modality not in Couple.Modality.values:
        errors["modality"] = [_("Choose one of the options.")]
    if errors:
        raise ActionError(_("The case details could not be saved."), errors)
    audited_update(
        couple,
        {
            "label": label,
            "relationship_agreement": relationship_agreement,
            "relationship_agreement_notes": relationship_agreement_notes.strip(),
            "secrets_policy": secrets_policy,
            "modality": modality,
        },
        clinician,
        "couples.case.update",
        clinic_id=couple.clinic_id,
    )
    return couple
