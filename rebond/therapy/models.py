"""The therapy process of a case: sessions, EFT stages and steps, AIRM per injury, the couple's
negative cycle, marker ratings and clinical notes (DOMAIN.md 1, 2, 7.1, 7.3, 7.4).

Everything here is CLINICAL (DOMAIN 7.5): clinicians on the case and its assigned supervisor
only, never a partner. Never query these models from a view: go through
`rebond.therapy.selectors`, which starts from `rebond.access`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import localtime, now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import Clinic
from rebond.couples.models import Couple, Injury, Partner
from rebond.crypto.fields import EncryptedCharField, EncryptedTextField

# A note can be edited for this long after it was written, then only addenda may follow.
# A practice choice common to clinical record systems ("sign within 24 hours"), set by the issue;
# it is not a clinical norm.
NOTE_EDIT_WINDOW = timedelta(hours=24)


class AppendOnly(models.Model):
    """A history row: inserted once, never updated (the history is the record)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


class TherapySettings(models.Model):
    """A clinic's settings for the therapy process."""

    # DOMAIN 7.4 leaves N ("no progress N sessions") to the clinic. Four is a configurable
    # practice choice, not a clinical norm: no published threshold for a stalled AIRM exists in
    # the sources of DOMAIN.md. For scale only: Makinen & Johnson (2006) report 13 sessions on
    # average for the whole course of EFT with an attachment injury.
    DEFAULT_AIRM_STALL_SESSIONS = 4

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="therapy_settings")
    airm_stall_sessions = models.PositiveSmallIntegerField(default=DEFAULT_AIRM_STALL_SESSIONS)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Therapy settings of {self.clinic}"


class SessionQuerySet(models.QuerySet["Session"]):
    def not_voided(self) -> SessionQuerySet:
        """Return the sessions that count: every one not voided as recorded by mistake."""
        return self.filter(voided_at__isnull=True)


class Session(models.Model):
    """One therapy session: conjoint (both partners) or individual (one partner)."""

    class Kind(models.TextChoices):
        CONJOINT = "conjoint", _("Conjoint")
        INDIVIDUAL = "individual", _("Individual")

    class Attendance(models.TextChoices):
        HELD = "held", _("Held")
        PARTLY = "partly", _("Held, one partner absent")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed (no one came)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="therapy_sessions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CONJOINT)
    # The number among the couple's conjoint sessions (DOMAIN 7.1); empty for individual ones.
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=now)
    attendance = models.CharField(max_length=12, choices=Attendance.choices, default="held")
    attendees = models.ManyToManyField(Partner, related_name="+", blank=True)
    # What partners may be told (an appointment is shared, DOMAIN 7.5) versus what only
    # clinicians see (e.g. "IPV follow-up").
    shared_label = models.CharField(max_length=80, default="Session")
    clinical_purpose = EncryptedCharField(max_length=200, blank=True, respondent="couple")
    # The EFT position when the session was held, kept so that the history reads as it was.
    eft_position = models.CharField(max_length=8, blank=True)
    airm_injuries = models.ManyToManyField(Injury, related_name="+", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    # A session recorded by mistake is voided, never deleted: it stays on the record (and in
    # the audit log) marked voided, and leaves the numbering, the timeline and every count.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Null until voided: an encrypted value is bound to its row, so existing rows start empty.
    # (The stubs type encrypted fields as never null; `is_voided` says when it is set.)
    void_reason = EncryptedCharField(  # type: ignore[misc]
        max_length=500, null=True, blank=True, respondent="couple"
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["occurred_at", "created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The case's session list and the AIRM stall count read sessions by date per couple.
            models.Index(fields=["couple", "occurred_at"], name="session_couple_date"),
        ]

    def __str__(self) -> str:
        if self.number:
            return gettext("Session %(number)s") % {"number": self.number}
        return gettext("Individual session")

    @property
    def was_held(self) -> bool:
        return self.attendance in (self.Attendance.HELD, self.Attendance.PARTLY)

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class EftPosition(models.TextChoices):
    """Where a couple is in EFT (DOMAIN 7.3), in order; steps 5-7 run twice in Stage 2."""

    S1 = "S1", _("Step 1 · Assessment and alliance")
    S2 = "S2", _("Step 2 · Identifying the negative cycle")
    S3 = "S3", _("Step 3 · Accessing primary emotions")
    S4 = "S4", _("Step 4 · Reframing in terms of the cycle")
    WRE5 = "WRE5", _("Step 5 · Withdrawer re-engagement: disowned needs")
    WRE6 = "WRE6", _("Step 6 · Withdrawer re-engagement: acceptance")
    WRE7 = "WRE7", _("Step 7 · Withdrawer re-engagement: needs expressed")
    BLS5 = "BLS5", _("Step 5 · Blamer softening: disowned needs")
    BLS6 = "BLS6", _("Step 6 · Blamer softening: acceptance")
    BLS7 = "BLS7", _("Step 7 · Blamer softening: bonding event")
    S8 = "S8", _("Step 8 · New solutions to old problems")
    S9 = "S9", _("Step 9 · Consolidating new positions")
    READY = "READY", _("Ready to plan the ending")


EFT_ORDER: list[str] = list(EftPosition.values)
# Stage names as DOMAIN-VERIFICATION 1.2 suggests for the UI.
STAGE_NAMES = {
    1: _("Stage 1 · Stabilization (cycle de-escalation)"),
    2: _("Stage 2 · Restructuring the bond"),
    3: _("Stage 3 · Consolidation"),
}


def stage_of(position: str) -> int:
    """Return the EFT stage (1-3) of a position; READY is still Stage 3."""
    if position in ("S1", "S2", "S3", "S4"):
        return 1
    if position.startswith(("WRE", "BLS")):
        return 2
    return 3


def step_of(position: str) -> int | None:
    """Return the EFT step (1-9) of a position, or None when ready to terminate."""
    if position == "READY":
        return None
    return int(position[-1])


class Stage2Event(models.TextChoices):
    """DOMAIN 7.1 StageProgress.stage2_event, derived from the position."""

    NONE = "none", _("Not started")
    WRE_IN_PROGRESS = "wre_in_progress", _("Withdrawer re-engagement in progress")
    WRE_DONE = "wre_done", _("Withdrawer re-engagement done")
    BLS_IN_PROGRESS = "bls_in_progress", _("Blamer softening in progress")
    BLS_DONE = "bls_done", _("Blamer softening done")


def stage2_event_of(position: str) -> str:
    if stage_of(position) == 1:
        return Stage2Event.NONE
    if position.startswith("WRE"):
        return Stage2Event.WRE_IN_PROGRESS
    if position.startswith("BLS"):
        return Stage2Event.BLS_IN_PROGRESS
    return Stage2Event.BLS_DONE


class StageProgress(models.Model):
    """Where one couple is in EFT; its history is the list of stage transitions."""

    id = models.BigAutoField(primary_key=True)
    couple = models.OneToOneField(Couple, on_delete=models.CASCADE, related_name="stage_progress")
    position = models.CharField(max_length=8, choices=EftPosition.choices, default="S1")
    # Optimistic locking (SECURITY RL-06): a move made from a stale page is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.couple}: {self.position}"

    @property
    def stage(self) -> int:
        return stage_of(self.position)

    @property
    def step(self) -> int | None:
        return step_of(self.position)

    @property
    def stage_name(self) -> str:
        return str(STAGE_NAMES[self.stage])

    @property
    def stage2_event(self) -> str:
        return stage2_event_of(self.position)

    def get_stage2_event_display(self) -> str:
        return str(Stage2Event(self.stage2_event).label)


# Whom a marker is rated for (catalogue.py EACH, COUPLE, HURT, HURTFUL), as the catalogue page
# says it.
APPLIES_TO_WORDS = {
    # Translators: a marker is rated for each partner.
    "each": _("each"),
    # Translators: a marker is rated once for the couple.
    "couple": _("couple"),
    # Translators: a marker is rated for the hurt partner of an injury.
    "hurt": _("hurt"),
    # Translators: a marker is rated for the hurtful partner of an injury.
    "hurtful": _("hurtful"),
}


class MarkerDefinition(models.Model):
    """One marker of the catalogue (rebond/therapy/catalogue.py, DOMAIN 1.4 and 2.2)."""

    class Framework(models.TextChoices):
        EFT = "eft", "EFT"
        AIRM = "airm", "AIRM"

    class Evidence(models.TextChoices):
        S = "S", _("Seen in a source")
        K = "K", _("Standard teaching, unverified")
        P = "P", _("Rebond's proposal, not validated")

    code = models.CharField(max_length=40, unique=True)
    model = models.CharField(max_length=8, choices=Framework.choices)
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    applies_to = models.CharField(max_length=10)
    label = models.CharField(max_length=120)
    description = models.TextField()
    source = models.CharField(max_length=300)
    source_url = models.URLField(max_length=300, blank=True)
    evidence = models.CharField(max_length=1, choices=Evidence.choices)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["order"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_per_partner(self) -> bool:
        return self.applies_to != "couple"

    @property
    def label_shown(self) -> str:
        """Return the label in the reader's language (catalogue.py marks it for translation)."""
        return gettext(self.label)

    @property
    def description_shown(self) -> str:
        """Return the description in the reader's language."""
        return gettext(self.description)

    def get_applies_to_display(self) -> str:
        """Return whom the marker is rated for, in words (catalogue.py: each, couple, ...)."""
        return str(APPLIES_TO_WORDS.get(self.applies_to, self.applies_to))


class MarkerObservation(models.Model):
    """One clinician rating of one marker in one session: 0 absent, 1 emerging, 2 present."""

    class Rating(models.IntegerChoices):
        ABSENT = 0, _("0 · absent")
        EMERGING = 1, _("1 · emerging")
        PRESENT = 2, _("2 · clearly present")

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="observations")
    marker = models.ForeignKey(MarkerDefinition, on_delete=models.PROTECT, related_name="+")
    # Empty for a marker rated for the couple as a whole.
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    injury = models.ForeignKey(
        Injury, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    # Rows get their id from the database: `row_key` is their identity for the encryption.
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    note = EncryptedCharField(max_length=300, blank=True, respondent="session", row=("row_key",))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["session__occurred_at", "marker__order", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(rating__lte=2), name="marker_rating_0_2"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The gates read the latest rating of given markers for one couple.
            models.Index(fields=["marker", "session"], name="observation_marker_session"),
        ]

    def __str__(self) -> str:
        return f"{self.marker_id}: {self.rating}"


class StageTransition(AppendOnly):
    """One move of a couple's EFT position (DOMAIN 7.3): append-only, with evidence and reason."""

    id = models.BigAutoField(primary_key=True)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="stage_transitions")
    from_position = models.CharField(max_length=8, choices=EftPosition.choices, blank=True)
    to_position = models.CharField(max_length=8, choices=EftPosition.choices)
    at = models.DateTimeField(default=now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    reason = EncryptedTextField(blank=True, respondent="couple", row=("row_key",))
    is_regression = models.BooleanField(default=False)
    is_override = models.BooleanField(default=False)
    unmet_gates = models.JSONField(default=list, blank=True)
    evidence = models.ManyToManyField(MarkerObservation, related_name="+", blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_position or 'start'} -> {self.to_position}"

    def get_from_display(self) -> str:
        return (
            str(EftPosition(self.from_position).label) if self.from_position else gettext("Start")
        )

    @property
    def to_stage(self) -> int:
        return stage_of(self.to_position)


class AirmState(models.TextChoices):
    """DOMAIN 7.4. Steps 5-8 carry short neutral names citing Makinen & Johnson (2006) [K]."""

    NOT_STARTED = "not_started", _("Not started")
    A1 = "a1", _("A1 · Hurt partner articulates the injury")
    A2 = "a2", _("A2 · Hurtful partner's defensive stance")
    A3 = "a3", _("A3 · Hurt partner accesses attachment fears")
    A4 = "a4", _("A4 · Hurtful partner hears and gives an account")
    A5 = "a5", _("A5 · Grief and vulnerability")
    A6 = "a6", _("A6 · Responsibility and remorse")
    A7 = "a7", _("A7 · Request for comfort")
    A8 = "a8", _("A8 · Antidote and new narrative")
    RESOLVED = "resolved", _("Resolved")
    STALLED = "stalled", _("Stalled: consider consultation")
    SUSPENDED_SAFETY = "suspended_safety", _("Suspended for safety")
    NOT_RESOLVED_AT_CLOSE = "not_resolved", _("Not resolved at close")


AIRM_STEPS: list[str] = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"]
AIRM_SIDE_EXITS = ("stalled", "suspended_safety")


class AirmProgress(models.Model):
    """The AIRM track of one attachment injury."""

    id = models.BigAutoField(primary_key=True)
    injury = models.OneToOneField(Injury, on_delete=models.CASCADE, related_name="airm")
    state = models.CharField(max_length=20, choices=AirmState.choices, default="not_started")
    # The step to go back to when a stalled or suspended track resumes.
    resume_state = models.CharField(max_length=20, choices=AirmState.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the track last moved forward: the stall count starts from here.
    progressed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"AIRM of {self.injury_id}: {self.state}"

    @property
    def is_in_progress(self) -> bool:
        return self.state in AIRM_STEPS

    @property
    def step(self) -> int | None:
        return AIRM_STEPS.index(self.state) + 1 if self.state in AIRM_STEPS else None


class AirmTransition(AppendOnly):
    """One move of an injury's AIRM track: append-only; `by` is empty for Rebond's stall flag."""

    id = models.BigAutoField(primary_key=True)
    injury = models.ForeignKey(Injury, on_delete=models.CASCADE, related_name="airm_transitions")
    from_state = models.CharField(max_length=20, choices=AirmState.choices)
    to_state = models.CharField(max_length=20, choices=AirmState.choices)
    at = models.DateTimeField(default=now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    reason = EncryptedTextField(blank=True, respondent="injury", row=("row_key",))
    is_override = models.BooleanField(default=False)
    evidence = models.ManyToManyField(MarkerObservation, related_name="+", blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class CycleMap(models.Model):
    """The couple's negative interaction cycle (DOMAIN 1.2)."""

    class Pattern(models.TextChoices):
        UNCLEAR = "unclear", _("Not clear yet")
        PURSUE_WITHDRAW = "pursue_withdraw", _("Pursue-withdraw (the Protest Polka)")
        ATTACK_ATTACK = "attack_attack", _("Attack-attack (Find the Bad Guy)")
        WITHDRAW_WITHDRAW = "withdraw_withdraw", _("Withdraw-withdraw (Freeze and Flee)")

    id = models.BigAutoField(primary_key=True)
    couple = models.OneToOneField(Couple, on_delete=models.CASCADE, related_name="cycle_map")
    pattern = models.CharField(max_length=20, choices=Pattern.choices, default="unclear")
    # The trigger or hot topic that sets the cycle going, in the clinician's words.
    trigger = EncryptedCharField(max_length=200, blank=True, respondent="couple", row=("couple",))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Cycle of {self.couple}"


class CyclePosition(models.Model):
    """One partner's place in the cycle (DOMAIN 7.1 Partner.cycle_position and emotions)."""

    class Position(models.TextChoices):
        UNCLEAR = "", _("Not clear yet")
        PURSUER = "pursuer", _("Pursues")
        WITHDRAWER = "withdrawer", _("Withdraws")
        ATTACKER = "attacker", _("Attacks")
        MIXED = "mixed", _("Mixed")

    id = models.BigAutoField(primary_key=True)
    cycle = models.ForeignKey(CycleMap, on_delete=models.CASCADE, related_name="positions")
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="+")
    position = models.CharField(max_length=12, choices=Position.choices, blank=True)
    action = EncryptedCharField(
        max_length=120, blank=True, respondent="partner", row=("partner",)
    )  # what they do: "criticises", …
    reactive_emotion = EncryptedCharField(
        max_length=120, blank=True, respondent="partner", row=("partner",)
    )  # secondary: anger, numbness
    primary_emotion = EncryptedCharField(
        max_length=120, blank=True, respondent="partner", row=("partner",)
    )  # underneath: fear, shame
    attachment_fear = EncryptedCharField(
        max_length=160, blank=True, respondent="partner", row=("partner",)
    )
    need = EncryptedCharField(max_length=160, blank=True, respondent="partner", row=("partner",))

    class Meta:
        ordering: ClassVar[list[str]] = ["partner__role"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.position or 'unclear'}"


class Note(models.Model):
    """A clinical note: editable for 24 hours, then locked; addenda may follow."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress note")
        PROCESS = "process", _("Process note")
        SAFETY = "safety", _("Safety note")
        DISCLOSURE_RECORD = "disclosure_record", _("Disclosure record")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = EncryptedTextField(respondent="couple")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The case's notes list, newest first.
            models.Index(fields=["couple", "created_at"], name="note_couple_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {localtime(self.created_at):%Y-%m-%d}"

    @property
    def locks_at(self) -> datetime:
        return self.created_at + NOTE_EDIT_WINDOW

    def is_locked(self, at: datetime | None = None) -> bool:
        return (at or now()) >= self.locks_at


class NoteAddendum(AppendOnly):
    """A dated addition to a note, for after it is locked; never edited."""

    id = models.BigAutoField(primary_key=True)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="addenda")
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    body = EncryptedTextField(respondent="note", row=("row_key",))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum of {localtime(self.created_at):%Y-%m-%d}"
