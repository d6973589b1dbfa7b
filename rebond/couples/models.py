"""A couple's case and its partners (DOMAIN.md 7.1 Couple and Partner, 7.2 lifecycle).

Never query these models directly from a view: fetch through `rebond.access`, which
scopes every query to the clinician's clinic and own cases.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import Clinic, SecretsPolicy
from rebond.crypto.fields import EncryptedCharField, EncryptedTextField
from rebond.lib.language import first_supported


class Couple(models.Model):
    """The case: the couple is the identified client, treated by one or more clinicians."""

    class Status(models.TextChoices):
        # DOMAIN.md 7.2, in lifecycle order.
        REFERRED = "referred", _("Referred")
        INTAKE_SCHEDULED = "intake_scheduled", _("Intake scheduled")
        ASSESSMENT = "assessment", _("Assessment")
        CONJOINT_ACTIVE = "conjoint_active", _("Conjoint therapy")
        INDIVIDUAL_ONLY = "individual_only", _("Individual work only")
        PAUSED_SAFETY = "paused_safety", _("Paused for safety")
        DISCERNMENT = "discernment", _("Discernment")
        SEPARATION_SUPPORT = "separation_support", _("Separation support")
        TERMINATION_PLANNED = "termination_planned", _("Ending planned")
        FOLLOW_UP = "follow_up", _("Follow-up")
        REFERRED_OUT = "referred_out", _("Referred out")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    # Statuses that are no longer on anyone's working caseload.
    INACTIVE_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {Status.REFERRED_OUT, Status.DROPPED_OUT, Status.CLOSED, Status.ARCHIVED}
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="couples")
    # The clinician's short label for the case, e.g. "Rivera & Chen"; never shown to partners.
    label = EncryptedCharField(max_length=120, respondent="self")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.REFERRED)
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_couples"
    )
    co_clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="co_couples", blank=True
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_couples",
        null=True,
        blank=True,
    )

    class Modality(models.TextChoices):
        CONJOINT = "conjoint", _("Conjoint")
        INDIVIDUAL_ONLY = "individual_only", _("Individual only")
        MIXED = "mixed", _("Mixed")

    class Agreement(models.TextChoices):
        # Betrayal is defined against the couple's own agreement (Rosoman 2025; Gordon's
        # "relational standard"), so monogamy is not assumed.
        NOT_RECORDED = "", _("Not recorded yet")
        MONOGAMOUS = "monogamous", _("Monogamous")
        NON_MONOGAMOUS = "consensually_non_monogamous", _("Consensually non-monogamous")
        OTHER = "other", _("Other (see notes)")

    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.CONJOINT)
    secrets_policy = models.CharField(
        max_length=20, choices=SecretsPolicy.choices, default=SecretsPolicy.NO_SECRETS
    )
    relationship_agreement = models.CharField(
        max_length=30, choices=Agreement.choices, default=Agreement.NOT_RECORDED, blank=True
    )
    relationship_agreement_notes = EncryptedTextField(blank=True, respondent="self")
    opened_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Not by label: it is encrypted, so lists sort it in Python (couples/views.py).
        ordering: ClassVar[list[str]] = ["opened_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The access gateway's first filter (rebond/access/).
            models.Index(fields=["clinic", "primary_clinician"], name="couple_clinic_primary"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        """Return whether the case belongs on a working caseload."""
        return self.status not in self.INACTIVE_STATUSES

    @property
    def reference(self) -> str:
        """Return the case's short reference, e.g. "3F2A-9C1B": the first 8 hex digits of its id.

        Shown on the case page, so a clinician can name a case to a clinic admin (emergency
        access) without its label; not secret, and not unique on its own (the id is).
        """
        digits = self.id.hex[:8].upper()
        return f"{digits[:4]}-{digits[4:]}"


class Partner(models.Model):
    """One member of the couple; answers questionnaires through private links, never logs in."""

    class Role(models.TextChoices):
        # A stable, neutral role for dyadic analyses (actor-partner models need it).
        A = "A", _("Partner A")
        B = "B", _("Partner B")

    class Goal(models.TextChoices):
        # The partner's private intake goal (DOMAIN 7.1): never shown to the other partner.
        NOT_GIVEN = "", _("Not given yet")
        IMPROVE = "improve", _("Improve our relationship")
        CLARIFY = "clarify", _("Clarify whether to stay together")
        UNSURE = "unsure", _("Not sure yet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="partners")
    role = models.CharField(max_length=1, choices=Role.choices)
    display_name = EncryptedCharField(max_length=120, respondent="self")
    pronouns = EncryptedCharField(max_length=40, blank=True, respondent="self")
    language = models.CharField(max_length=20, default="en")
    intake_goal = EncryptedCharField(
        max_length=10, choices=Goal.choices, blank=True, default="", respondent="self"
    )
    # Set by the clinician when this partner's individual safety screen (interview and
    # questionnaires, DOMAIN 4.1) is done; a guard for the modality decision (DOMAIN 7.2).
    individual_screen_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["role"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A couple has exactly one partner A and one partner B.
            models.UniqueConstraint(fields=["couple", "role"], name="partner_one_per_role"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def preferred_language(self) -> str:
        """Return the language of the partner's pages, e-mails and PDFs: theirs, else their
        clinic's default (rebond/lib/language.py); the two partners of a couple may differ."""
        return first_supported(self.language, self.couple.clinic.default_language)


class ContactChannel(models.Model):
    """A way to reach one partner. Private to that partner and the clinicians (DOMAIN 7.5).

    Nothing is ever sent through a channel not marked safe to contact.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contact_channels")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = EncryptedCharField(max_length=254, respondent="partner")
    safe_to_contact = models.BooleanField(default=False)
    safe_hours = EncryptedCharField(max_length=200, blank=True, respondent="partner")
    may_leave_message = models.BooleanField(default=False)
    # The safe hours as a window a machine can keep (clinic time): automated messages
    # (appointment reminders) arrive only inside it. Empty: the clinic's default window. A
    # window may cross midnight (21:00-07:00). `safe_hours` above stays the person's own words.
    safe_from = models.TimeField(null=True, blank=True)
    safe_until = models.TimeField(null=True, blank=True)
    # Whether a message may name the clinic and what it is for (DOMAIN 7.5 content_allowed):
    # off by default, so a reminder says only "Your appointment on ...".
    may_mention_therapy = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.partner}"


class ConsentDocument(models.Model):
    """A versioned consent text; a partner consents to one exact version, proven by its hash."""

    class Kind(models.TextChoices):
        TREATMENT = "treatment", _("Consent to couple therapy")
        SECRETS_POLICY = "secrets_policy", _("Confidentiality between partners")
        DATA_PROCESSING = "data_processing", _("How your information is kept")
        MEASUREMENT_FEEDBACK = "measurement_feedback", _("Questionnaires and feedback")
        RISK_SCREENING_AND_LIMITS = "risk_screening", _("Safety check-ins and their limits")
        # Service evaluation is not research (docs/benchmarks.md): the practice judging its own
        # service from group figures (rebond/outcomes), so it has its own consent.
        SERVICE_EVALUATION = "service_evaluation", _("Use of my scores to evaluate this service")
        RESEARCH = "research", _("Use of de-identified data for research")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    body = models.TextField()
    sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "-published_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A version names exactly one text.
            models.UniqueConstraint(fields=["kind", "version"], name="consent_document_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sha256 = self.hash_body(self.body)
        super().save(*args, **kwargs)

    @staticmethod
    def hash_body(body: str) -> str:
        """Return the SHA-256 of the text as stored, proving which words were agreed to."""
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ConsentRecord(models.Model):
    """One partner's consent to one document version; withdrawn by a later date, never deleted."""

    class CapturedBy(models.TextChoices):
        SELF = "self", _("The partner, online")
        CLINICIAN = "clinician", _("The clinician, on the partner's word")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    # Snapshot of the document's hash at the moment of consent.
    document_sha256 = models.CharField(max_length=64)
    granted_at = models.DateTimeField(default=now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    captured_by = models.CharField(max_length=10, choices=CapturedBy.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["granted_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The consent guard of the case lifecycle asks for a partner's active consents.
            models.Index(fields=["partner", "withdrawn_at"], name="consent_active"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} consented to {self.document}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Injury(models.Model):
    """A betrayal formulated as data (DOMAIN 0 and 7.1): what happened, not who is to blame.

    A privately disclosed injury is visible only to the partner who reported it and the
    clinicians until a disclosure is recorded (DOMAIN 7.5).
    """

    class Category(models.TextChoices):
        INFIDELITY = "infidelity", _("Infidelity")
        BROKEN_TRUST = "broken_trust", _("Broken trust")
        ATTACHMENT_NEGLECT = "attachment_neglect", _("Absent at a moment of need")
        SAFETY_THREAT = "safety_threat", _("Threat to safety")

    class Subtype(models.TextChoices):
        SEXUAL_AFFAIR = "sexual_affair", _("Sexual affair")
        EMOTIONAL_AFFAIR = "emotional_affair", _("Emotional affair")
        ONLINE_SEXUAL = "online_sexual", _("Online sexual activity")
        PAID_SEX = "paid_sex", _("Paid sex")
        BOUNDARY_VIOLATION = "boundary_violation", _("Boundary violation")
        LYING_BY_OMISSION = "lying_by_omission", _("Lying by omission")
        HIDDEN_HABIT = "hidden_habit", _("Hidden habit")
        WITHHOLDING_INFORMATION = "withholding_information", _("Withholding information")
        FINANCIAL_SECRECY = "financial_secrecy", _("Financial secrecy")
        UNAVAILABLE_AT_BEREAVEMENT = "unavailable_at_bereavement", _("Absent at a bereavement")
        UNAVAILABLE_AT_ILLNESS = "unavailable_at_illness", _("Absent during illness")
        UNAVAILABLE_AT_BIRTH_OR_PREGNANCY_LOSS = (
            "unavailable_at_birth_or_loss",
            _("Absent at a birth or pregnancy loss"),
        )
        UNAVAILABLE_AT_OTHER_CRISIS = "unavailable_at_other_crisis", _("Absent at another crisis")
        CHRONIC_EMOTIONAL_NEGLECT = "chronic_emotional_neglect", _("Chronic emotional neglect")
        FINANCIAL_HARM = "financial_harm", _("Financial harm (e.g. savings gambled away)")
        EXPOSURE_TO_DANGER = "exposure_to_danger", _("Exposure to danger (risky behaviour)")
        VERBAL_ABUSE = "verbal_abuse", _("Verbal abuse")
        EMOTIONAL_ABUSE = "emotional_abuse", _("Emotional abuse")
        PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
        SEXUAL_COERCION = "sexual_coercion", _("Sexual coercion")
        COERCIVE_CONTROL = "coercive_control", _("Coercive control")
        OTHER = "other", _("Other")

    # DOMAIN 7.1: which subtypes belong to which category.
    SUBTYPES: ClassVar[dict[str, frozenset[str]]] = {
        Category.INFIDELITY: frozenset(
            {
                Subtype.SEXUAL_AFFAIR,
                Subtype.EMOTIONAL_AFFAIR,
                Subtype.ONLINE_SEXUAL,
                Subtype.PAID_SEX,
                Subtype.OTHER,
            }
        ),
        Category.BROKEN_TRUST: frozenset(
            {
                Subtype.BOUNDARY_VIOLATION,
                Subtype.LYING_BY_OMISSION,
                Subtype.HIDDEN_HABIT,
                Subtype.WITHHOLDING_INFORMATION,
                Subtype.FINANCIAL_SECRECY,
                Subtype.OTHER,
            }
        ),
        Category.ATTACHMENT_NEGLECT: frozenset(
            {
                Subtype.UNAVAILABLE_AT_BEREAVEMENT,
                Subtype.UNAVAILABLE_AT_ILLNESS,
                Subtype.UNAVAILABLE_AT_BIRTH_OR_PREGNANCY_LOSS,
                Subtype.UNAVAILABLE_AT_OTHER_CRISIS,
                Subtype.CHRONIC_EMOTIONAL_NEGLECT,
            }
        ),
        Category.SAFETY_THREAT: frozenset(
            {
                Subtype.FINANCIAL_HARM,
                Subtype.EXPOSURE_TO_DANGER,
                Subtype.VERBAL_ABUSE,
                Subtype.EMOTIONAL_ABUSE,
                Subtype.PHYSICAL_ABUSE,
                Subtype.SEXUAL_COERCION,
                Subtype.COERCIVE_CONTROL,
            }
        ),
    }

    class Disclosure(models.TextChoices):
        KNOWN_TO_BOTH = "known_to_both", _("Known to both partners")
        DISCLOSED_PRIVATELY = "disclosed_privately", _("Disclosed privately to the clinician")
        FACILITATED_DISCLOSURE_PLANNED = "disclosure_planned", _("Facilitated disclosure planned")
        DISCLOSED_IN_SESSION = "disclosed_in_session", _("Disclosed in a joint session")

    class DiscoveredHow(models.TextChoices):
        DISCOVERED = "discovered", _("Discovered")
        DISCLOSED = "disclosed", _("Disclosed by the hurtful partner")
        SUSPECTED = "suspected", _("Suspected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="injuries")
    category = models.CharField(max_length=20, choices=Category.choices)
    subtype = models.CharField(max_length=30, choices=Subtype.choices)
    # RESTRICT, not PROTECT: a partner cannot be deleted from under an injury, but erasing
    # the whole case deletes both together (rebond/lifecycle/erasure.py). The same below.
    hurt_partner = models.ForeignKey(Partner, on_delete=models.RESTRICT, related_name="+")
    hurtful_partner = models.ForeignKey(Partner, on_delete=models.RESTRICT, related_name="+")
    reported_by = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="+", null=True, blank=True
    )
    disclosure_state = models.CharField(max_length=25, choices=Disclosure.choices)
    discovered_how = models.CharField(max_length=10, choices=DiscoveredHow.choices, blank=True)
    discovery_date = models.DateField(null=True, blank=True)
    onset_period = EncryptedCharField(max_length=120, blank=True, respondent="couple")
    ongoing = models.BooleanField(default=False)
    contact_with_third_party_ongoing = models.BooleanField(null=True, blank=True)
    # The clinician's formulation: an injury is an attachment injury by its attachment
    # significance, not its content (Johnson; DOMAIN 0).
    is_attachment_injury = models.BooleanField(null=True, blank=True)
    complex = models.BooleanField(default=False)
    severity_by_hurt_partner = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    # What a partner may be shown, chosen by a clinician for each partner (DOMAIN 7.5 rule 1:
    # nothing is shared automatically). It counts only once both partners know of it; the
    # rule itself is `access.injuries_visible_to_partner`.
    shared_with_hurt_partner = models.BooleanField(default=False)
    shared_with_hurtful_partner = models.BooleanField(default=False)
    # The only words of the clinician's a partner ever reads about an injury: the onset and
    # the formulation stay clinician-only.
    partner_summary = EncryptedTextField(blank=True, respondent="couple")
    # A wrongly recorded injury is voided, never deleted: it leaves every partner view and
    # shows struck through to clinicians, with who voided it, when and why (audited).
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    void_reason = EncryptedTextField(blank=True, respondent="couple")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(severity_by_hurt_partner__lte=10),
                name="injury_severity_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.get_subtype_display()}"

    @property
    def is_private(self) -> bool:
        """Return whether only the reporter and the clinicians may know of this injury."""
        return self.disclosure_state == self.Disclosure.DISCLOSED_PRIVATELY

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class SafetyConcern(models.Model):
    """A clinician-only record that someone may not be safe (DOMAIN 7.1; SAFETY_RESTRICTED).

    Never shown to either partner. Opened automatically for every SAFETY_THREAT injury.
    """

    class Type(models.TextChoices):
        IPV = "ipv", _("Intimate partner violence")
        SUICIDE = "suicide", _("Suicide risk")
        SELF_HARM = "self_harm", _("Self-harm")
        HOMICIDE_RISK = "homicide_risk", _("Risk to others")
        CHILD_SAFETY = "child_safety", _("Child safety")
        OTHER = "other", _("Other")

    class Level(models.IntegerChoices):
        LOW = 1, _("Low")
        MODERATE = 2, _("Moderate")
        HIGH = 3, _("High")
        IMMINENT = 4, _("Imminent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MONITORING = "monitoring", _("Monitoring")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="safety_concerns")
    subject_partner = models.ForeignKey(Partner, on_delete=models.RESTRICT, related_name="+")
    other_partner = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="+", null=True, blank=True
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.MODERATE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    injury = models.ForeignKey(
        Injury, on_delete=models.SET_NULL, null=True, blank=True, related_name="safety_concerns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-level", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.get_level_display()})"


class CaseTransition(models.Model):
    """One step of the case lifecycle (DOMAIN 7.2): append-only, with who, when and why."""

    id = models.BigAutoField(primary_key=True)
    # The row identity the encrypted reason is bound to: the id is only known after INSERT,
    # this is set in Python before it (rebond/crypto/fields.py).
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, choices=Couple.Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Couple.Status.choices)
    at = models.DateTimeField(default=now)
    # Empty only for Rebond's own automatic moves (a HIGH safety alert pausing conjoint work).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = EncryptedTextField(blank=True, respondent="couple", row="row_key")
    # True when a clinician moved the case although a guard was not met.
    is_override = models.BooleanField(default=False)
    unmet_guards = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once: the case history is never rewritten."""
        if not self._state.adding:
            raise PermissionError("Case transitions are append-only.")
        super().save(*args, **kwargs)


class TeamChange(models.Model):
    """One change of a case's team (issue 16 item 5): append-only, who did it, to whom, when.

    The case page lists them as the team's history. A handover carries the note the outgoing
    side wrote for the new primary clinician: it may be clinical, so it is encrypted and shown
    only to the clinicians on the case, never in an e-mail or the audit trail (which names
    this row's id). Who may change a team, and whom, is decided in rebond/couples/team.py.
    """

    class Kind(models.TextChoices):
        CO_THERAPIST_ADDED = "co_therapist_added", _("Co-therapist added")
        CO_THERAPIST_REMOVED = "co_therapist_removed", _("Co-therapist removed")
        SUPERVISOR_SET = "supervisor_set", _("Supervisor assigned")
        SUPERVISOR_REMOVED = "supervisor_removed", _("Supervisor removed")
        HANDED_OVER = "handed_over", _("Case handed over")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="team_changes")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The clinician the change is about: added, removed, the new supervisor or primary.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who held the role before: the supervisor replaced, or the primary who handed over.
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # A handover only: whether the previous primary stayed on as a co-therapist.
    previous_stays = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True, respondent="couple")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.couple_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once: a team's history is never rewritten."""
        if not self._state.adding:
            raise PermissionError("Team changes are append-only.")
        super().save(*args, **kwargs)
