"""Appointments: clinicians' hours, session types, booked times and the messages about them.

An appointment is a time held in a clinician's calendar: a free consultation booked from a
consultation request, or a conjoint or individual session scheduled from a case. Once it
happens, the clinician records it and the record (attendance, ratings, notes) is the
therapy.Session linked here: one object, no double entry.

Who sees what (DOMAIN.md 7.5): conjoint appointment times are shared by both partners and
the case's clinicians; an individual appointment is seen by its one invited partner and the
clinicians; a clinic admin sees metadata only (clinician, time, kind), never a case label or
a partner. Never query these models from a view: fetch through `rebond.access`.

Double booking is refused by the database itself (migration 0001): a PostgreSQL exclusion
constraint on (clinician, time range), and on SQLite a trigger that aborts an overlapping
insert or update; `booking.py` also checks first, to answer with a clear message.
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from rebond.accounts.models import Clinic
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.crypto.fields import EncryptedCharField
from rebond.intake.models import ConsultationRequest

# The wording of every message about an appointment unless the clinic chooses its own. It
# names no therapy, no clinic, no person: someone reading the recipient's phone learns only
# that an appointment exists (issue 18; DOMAIN.md 7.5 "content_allowed: MINIMAL").
# Stored as written (English); a message in another language uses its translation while the
# clinic keeps the default (wording.message_text).
# Translators: a reminder's sentence; keep {when} (the date and time) as it is.
DEFAULT_NEUTRAL_WORDING = gettext_noop("Your appointment on {when}.")
# The wording for a recipient who allowed the clinic to name itself and what it is for.
# Translators: a reminder's sentence; keep {clinic} (its name) and {when} (date and time).
DEFAULT_OPEN_WORDING = gettext_noop("Your appointment with {clinic} on {when}.")


class AppointmentSettings(models.Model):
    """A clinic's choices about appointments; a clinic without a row has the defaults."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="appointment_settings"
    )
    # Off by default (issue 18): a clinic opts in to letting requesters pick a time.
    consultation_booking = models.BooleanField(default=False)
    slots_offered = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        default=21, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    # The earliest offered slot is at least this far ahead, so a clinician can confirm it.
    booking_notice_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 14)]
    )
    # A held slot not confirmed by then is released for others (the requester is not told:
    # nothing is sent that the clinician did not decide).
    hold_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(1), MaxValueValidator(24 * 14)]
    )
    neutral_wording = models.CharField(max_length=200, default=DEFAULT_NEUTRAL_WORDING)
    open_wording = models.CharField(max_length=200, default=DEFAULT_OPEN_WORDING)
    reminder_lead_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 7)]
    )
    # Hours before each conjoint session at which the every-session check-in is sent; None:
    # the clinic does not tie check-ins to sessions.
    checkin_lead_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, default=None, validators=[MaxValueValidator(24 * 7)]
    )
    # A cancellation this close to the start is recorded as a late cancellation.
    late_cancel_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 7)]
    )
    # When a recipient gave no safe window, messages arrive only inside this one (clinic time).
    default_window_start = models.TimeField(default=time(9, 0))
    default_window_end = models.TimeField(default=time(20, 0))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Appointment settings of {self.clinic}"

    @classmethod
    def of_clinic(cls, clinic_id: uuid.UUID) -> AppointmentSettings:
        """Return the clinic's settings, or the defaults when it has saved none."""
        found = cls.objects.filter(clinic_id=clinic_id).first()
        return found or cls(clinic_id=clinic_id)

    def window_for(self, holder: object) -> tuple[time, time]:
        """Return the message window (clinic time) of a contact channel or a consultation
        request: its own `safe_from`/`safe_until`, else this clinic's default window."""
        start = getattr(holder, "safe_from", None) or self.default_window_start
        end = getattr(holder, "safe_until", None) or self.default_window_end
        return start, end


class SessionType(models.Model):
    """A kind of appointment a clinic offers, with its length (e.g. "Free consultation", 30)."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Free consultation")
        CONJOINT = "conjoint", _("Conjoint session")
        INDIVIDUAL = "individual", _("Individual session")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="session_types")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["clinic", "name"], name="session_type_name_per_clinic"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10) & Q(duration_minutes__lte=240),
                name="session_type_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class WeeklyHours(models.Model):
    """One stretch of a clinician's usual week, in the clinic's time zone (Monday is 0)."""

    id = models.BigAutoField(primary_key=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_hours"
    )
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["weekday", "starts"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="hours_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"Day {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class TimeOff(models.Model):
    """An exception to a clinician's weekly hours: leave, a holiday, a training day."""

    id = models.BigAutoField(primary_key=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The clinician's own word for it ("Leave"); shown to the clinic's staff, never to clients.
    reason = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="time_off_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Time off {self.starts_at:%Y-%m-%d}"


class AppointmentSeries(models.Model):
    """Sessions scheduled ahead as one repeating series (weekly or fortnightly)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    every_weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2), MaxValueValidator(52)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"Series of {self.count} every {self.every_weeks} week(s)"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def blocking(self) -> AppointmentQuerySet:
        """Return the appointments that take up their clinician's time."""
        return self.filter(status__in=Appointment.BLOCKING_STATUSES)


class Appointment(models.Model):
    """A time in one clinician's calendar: a consultation, a conjoint or an individual session."""

    Kind = SessionType.Kind

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Held, waiting for the clinician")
        SCHEDULED = "scheduled", _("Scheduled")
        ATTENDED = "attended", _("Session recorded")
        CANCELLED = "cancelled", pgettext_lazy("an appointment", "Cancelled")
        LATE_CANCELLED = "late_cancelled", _("Cancelled late")
        NO_SHOW = "no_show", _("No-show")
        RELEASED = "released", _("Hold released")

    # Statuses that take up the clinician's time: the database refuses an overlap among them.
    # The SQL of the constraint (migration 0001) spells these values out: change both together.
    BLOCKING_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.REQUESTED,
        Status.SCHEDULED,
        Status.ATTENDED,
        Status.NO_SHOW,
    )
    UPCOMING_STATUSES: ClassVar[tuple[str, ...]] = (Status.REQUESTED, Status.SCHEDULED)

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("By video")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    # The clinic's own video room for this appointment; shown only to the invited partners.
    video_link = EncryptedCharField(max_length=500, blank=True, respondent=None)
    # A consultation is booked from a request (and keeps it after conversion to a case);
    # sessions belong to a case.
    request = models.ForeignKey(
        ConsultationRequest,
        on_delete=models.CASCADE,
        related_name="appointments",
        null=True,
        blank=True,
    )
    couple = models.ForeignKey(
        Couple, on_delete=models.CASCADE, related_name="appointments", null=True, blank=True
    )
    invited = models.ManyToManyField(Partner, related_name="appointments", blank=True)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.SET_NULL,
        related_name="appointments",
        null=True,
        blank=True,
    )
    # The session's record once it happened (attendance, ratings, notes): the same event.
    session = models.OneToOneField(
        "therapy.Session",
        on_delete=models.SET_NULL,
        related_name="appointment",
        null=True,
        blank=True,
    )
    # Until when a REQUESTED slot stays held without the clinician's confirmation.
    held_until = models.DateTimeField(null=True, blank=True)
    # Set once the every-session check-in was sent ahead of this session (never twice).
    checkins_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # None when the requester booked it from the public page.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at"]
        indexes: ClassVar[list[models.Index]] = [
            # A clinician's week, and the overlap check before booking.
            models.Index(fields=["clinician", "starts_at"], name="appointment_clinician_time"),
            # The clinic's calendar and the sweeps (reminders, check-ins before sessions).
            models.Index(fields=["clinic", "starts_at"], name="appointment_clinic_time"),
            models.Index(fields=["status", "starts_at"], name="appointment_status_time"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(couple__isnull=False),
                name="appointment_for_request_or_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_upcoming(self) -> bool:
        return self.status in self.UPCOMING_STATUSES


class AppointmentMessage(models.Model):
    """One message to one person about one appointment: the outbox of appointments.

    The text is never stored: it is rendered from the clinic's wording when the message goes,
    so the table holds no clinical words. A message waits until `send_after` (the recipient's
    safe window), is retried on failure, and after the last attempt is FAILED and shown to
    the clinician: it is never dropped silently.
    """

    class Purpose(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        CHANGE = "change", _("Change of time")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a safe time")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be delivered")
        # No safe way or time to reach the person before the appointment: the clinician is told.
        UNSENDABLE = "unsendable", _("No safe way to send")
        # Not sent because it no longer applies (a reminder of a cancelled appointment, or to a
        # partner no longer invited): nobody needs to be told, so it is not a failure.
        WITHDRAWN = "withdrawn", _("Withdrawn, no longer needed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="messages")
    purpose = models.CharField(max_length=14, choices=Purpose.choices)
    # Exactly one recipient: the requester of a consultation, or an invited partner through one
    # of their channels.
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    channel = models.ForeignKey(
        ContactChannel, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    # "email" or "text" (ContactChannel.Kind values); a phone call is never automated.
    kind = models.CharField(max_length=8)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # What went wrong, in the operator's words (a provider's status code); never a person.
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "send_after"], name="appointment_message_due"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, partner__isnull=True)
                | Q(request__isnull=True, partner__isnull=False),
                name="appointment_message_one_recipient",
            ),
            # One reminder per appointment per partner per channel, even if two sweeps overlap.
            models.UniqueConstraint(
                fields=["appointment", "partner", "channel"],
                condition=Q(purpose="reminder"),
                name="appointment_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_status_display()})"


class CalendarFeed(models.Model):
    """A clinician's private iCal feed: a secret address, revocable, neutral by default."""

    id = models.BigAutoField(primary_key=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    # SHA-256 of the secret in the address; the secret itself is shown once and never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    # Off by default: events are titled "Appointment" with no case label or partner name.
    shows_case_labels = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed {self.id}"
