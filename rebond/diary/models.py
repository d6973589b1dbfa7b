"""Each partner's private diary between sessions (issue 19): how safe and how close they feel
today, whether something triggered them, and one optional line of their own words.

It is a diary, not a validated measure: nothing here is scored against norms, and its numbers
are shown only as what the partner wrote. Who sees an entry is in rebond/access/diary.py: its
author and the clinicians on the case always; the other partner only an entry its author chose
to share, exactly as written, and never one where the author said they do not feel safe.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.couples.models import Couple, Partner
from rebond.crypto.fields import EncryptedCharField

# A diary rating runs from 0 to 10, the scale a partner sees on every slider.
RATING_MAX = 10
RATING = (MinValueValidator(0), MaxValueValidator(RATING_MAX))
# "One optional line of free text": a line, not a journal (issue 19 item 1).
LINE_MAX = 280


class DiaryPlan(models.Model):
    """Whether a case offers the diary, and how often its partners are reminded of it.

    The clinician chooses per case (issue 19 item 1). A reminder is never more than daily, and
    goes only through a partner's safe channel, inside its message window.
    """

    class Prompt(models.TextChoices):
        NEVER = "never", _("No reminders: they open it when they want")
        WEEKLY = "weekly", _("Once a week")
        TWICE_WEEKLY = "twice_weekly", _("Twice a week")
        DAILY = "daily", _("Once a day")

    couple = models.OneToOneField(
        Couple, on_delete=models.CASCADE, primary_key=True, related_name="diary_plan"
    )
    offered = models.BooleanField(default=False)
    prompt = models.CharField(max_length=12, choices=Prompt.choices, default=Prompt.NEVER)
    updated_at = models.DateTimeField(default=now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Diary {'offered' if self.offered else 'not offered'} ({self.prompt})"


class DiaryEntry(models.Model):
    """One moment a partner wrote down. Private to its author and the case's clinicians until
    the author shares it; shared, the other partner sees it exactly as written."""

    class TriggerKind(models.TextChoices):
        # Everyday reminders partners name (issue 19: "a late message, a name, a place").
        MESSAGE = "message", _("A message, a call or a phone")
        NAME = "name", _("A name")
        PLACE = "place", _("A place")
        DATE = "date", _("A date or an anniversary")
        MEMORY = "memory", _("A memory or an image that came back")
        PARTNER = "partner", _("Something my partner said or did")
        MEDIA = "media", _("Something on screen, in a song or online")
        OTHER = "other", _("Something else")

    class Helped(models.TextChoices):
        TALKING_TOGETHER = "talking_together", _("Talking it through with my partner")
        REASSURANCE = "reassurance", _("Reassurance from my partner")
        TIME_OUT = "time_out", _("Taking a time-out")
        BREATHING = "breathing", _("Breathing or grounding")
        MOVING = "moving", _("A walk or exercise")
        SOMEONE_ELSE = "someone_else", _("Talking with someone I trust")
        WRITING = "writing", _("Writing it down")
        NOTHING_YET = "nothing_yet", _("Nothing helped yet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="diary_entries")
    author = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="diary_entries")
    written_at = models.DateTimeField(default=now)
    felt_safe = models.PositiveSmallIntegerField(validators=RATING)
    felt_close = models.PositiveSmallIntegerField(validators=RATING)
    triggered = models.BooleanField(default=False)
    trigger_kind = models.CharField(max_length=10, choices=TriggerKind.choices, blank=True)
    trigger_intensity = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    helped = models.CharField(max_length=20, choices=Helped.choices, blank=True)
    line = EncryptedCharField(max_length=LINE_MAX, blank=True, respondent="author")
    # "Right now I don't feel safe": crisis resources at once and a clinician alert (always
    # on; rebond/alerts/rules.py). Such an entry is never shared (DOMAIN 4.4 safety carve-out).
    not_safe_now = models.BooleanField(default=False)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-written_at"]
        verbose_name_plural = "diary entries"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(felt_safe__lte=RATING_MAX) & Q(felt_close__lte=RATING_MAX),
                name="diary_ratings_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(trigger_intensity__isnull=True) | Q(trigger_intensity__lte=RATING_MAX),
                name="diary_intensity_0_to_10",
            ),
            # A trigger's kind and intensity exist only on an entry that says it was triggered.
            models.CheckConstraint(
                condition=Q(triggered=True)
                | (Q(trigger_kind="") & Q(trigger_intensity__isnull=True) & Q(helped="")),
                name="diary_trigger_fields_only_when_triggered",
            ),
            models.CheckConstraint(
                condition=Q(triggered=False)
                | (~Q(trigger_kind="") & Q(trigger_intensity__isnull=False)),
                name="diary_trigger_has_kind_and_intensity",
            ),
            # The database refuses to share an entry that says "right now I don't feel safe",
            # whoever writes it: the other partner never learns of it.
            models.CheckConstraint(
                condition=Q(not_safe_now=False) | Q(shared_at__isnull=True),
                name="diary_not_safe_never_shared",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["couple", "written_at"], name="diary_entries_by_case"),
        ]

    def __str__(self) -> str:
        return f"Diary entry of {self.written_at:%Y-%m-%d}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class DiaryPrompt(models.Model):
    """One reminder to write in the diary, sent to one partner (at most one a day)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="diary_prompts")
    due_on = models.DateField(help_text=_("The day (clinic time) the reminder is for."))
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-due_on"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Never more than one reminder a day, however often the sweep runs.
            models.UniqueConstraint(fields=["partner", "due_on"], name="diary_prompt_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"Diary reminder for {self.due_on}"
