"""A clinic's measurement settings and each couple's latest progress signal.

The signal rests on published reliable-change figures and cut-offs (`psychometrics.signals`);
the review session and an explicit divergence are a clinic's practice choices, and local norms
its own figures; absent a row, the defaults of `psychometrics.signals` apply.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from psychometrics.signals import (
    DEFAULT_REVIEW_SESSION,
    REVIEW_SESSION_RANGE,
    CoupleSignal,
    Signal,
)
from rebond.accounts.models import Clinic
from rebond.couples.models import Couple

DEFAULT_OUTCOME_INSTRUMENT = "CSI-4"  # DOMAIN 6: the primary per-session metric


class MeasurementSettings(models.Model):
    """A clinic's settings for the progress signal (docs/measurement.md)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="measurement_settings"
    )
    outcome_instrument = models.CharField(max_length=20, default=DEFAULT_OUTCOME_INSTRUMENT)
    # The session by which a partner without reliable improvement is flagged (amber): a
    # practice choice of the clinic, not a norm (psychometrics/signals.py).
    review_session = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_SESSION,
        validators=[
            MinValueValidator(REVIEW_SESSION_RANGE[0]),
            MaxValueValidator(REVIEW_SESSION_RANGE[1]),
        ],
    )
    # Empty: sqrt(2) x the reliable-change figure, or no divergence judged without one.
    divergence = models.FloatField(null=True, blank=True)
    # Local norms for the outcome instrument (INSTRUMENTS.md 2: clinics may supply them): the SD
    # of their own pre-treatment sample and the instrument's reliability.
    local_sd = models.FloatField(null=True, blank=True)
    local_reliability = models.FloatField(null=True, blank=True)
    local_norms_source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"measurement settings of {self.clinic_id}"


class CoupleTrack(models.Model):
    """A couple's latest progress signal on the outcome instrument, kept for the caseload.

    Recomputed from the submissions whenever one of the outcome instrument is scored (in the
    same transaction) and when the clinic changes its parameters, so the caseload can sort,
    filter and page on it in SQL instead of reading every score of every couple.
    """

    couple = models.OneToOneField(
        Couple, on_delete=models.CASCADE, primary_key=True, related_name="track"
    )
    instrument_code = models.CharField(max_length=20)
    signal = models.CharField(max_length=20, choices=[(s.value, s.value) for s in CoupleSignal])
    diverging = models.BooleanField(default=False)
    a_signal = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Signal])
    a_score = models.FloatField(null=True, blank=True)
    a_category = models.CharField(max_length=14, blank=True)
    b_signal = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Signal])
    b_score = models.FloatField(null=True, blank=True)
    b_category = models.CharField(max_length=14, blank=True)
    reasons = models.JSONField(default=list)
    sessions = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(default=now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            # The caseload's "flagged first" sort and its signal filter.
            models.Index(fields=["signal"], name="track_signal"),
        ]

    def __str__(self) -> str:
        return f"{self.signal} ({self.instrument_code})"


# --- Expected recovery from the clinic's own closed cases (issue 17, item 2) -----------------

# Closed cases an instrument needs before its curve is fitted and drawn. A judgement, not a
# published value (RECOVERY-RESEARCH.md 4.6: no published minimum was found; ~150 from the
# sizes of Warren et al. 2009 and Pepping et al. 2015); docs/measurement.md says so.
DEFAULT_MIN_CLOSED_CASES = 150
# The range a clinic may choose from (rebond/measurement/local_norms.py says why).
MIN_CLOSED_CASES_RANGE = (30, 5000)


class ExpectedRecoveryState(models.Model):
    """A clinic's threshold for fitting expected recovery, and its latest refit's progress.

    No clinical content: a number, a status, counts and times.
    """

    class Status(models.TextChoices):
        IDLE = "idle", _("Not run yet")
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="expected_recovery_state"
    )
    min_closed_cases = models.PositiveIntegerField(
        default=DEFAULT_MIN_CLOSED_CASES,
        validators=[
            MinValueValidator(MIN_CLOSED_CASES_RANGE[0]),
            MaxValueValidator(MIN_CLOSED_CASES_RANGE[1]),
        ],
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.IDLE)
    step = models.CharField(max_length=120, blank=True)  # what the running refit is doing
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"expected recovery of {self.clinic_id}: {self.status}"


class ExpectedRecoveryFit(models.Model):
    """One instrument's curve fitted on the clinic's closed cases (psychometrics/local_norms.py).

    Written by each refit, fitted or not: `eligible_cases` is always the latest count; the
    coefficients are empty while the clinic has fewer closed cases than its threshold or the
    fit failed (`error` says why, in words with no clinical content).
    """

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="expected_recovery_fits"
    )
    instrument_code = models.CharField(max_length=20)
    eligible_cases = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(default=now)
    intercept = models.FloatField(null=True, blank=True)
    intake_slope = models.FloatField(null=True, blank=True)
    log_session_slope = models.FloatField(null=True, blank=True)
    residual_sd = models.FloatField(null=True, blank=True)
    n_cases = models.PositiveIntegerField(default=0)
    n_partners = models.PositiveIntegerField(default=0)
    n_observations = models.PositiveIntegerField(default=0)
    intake_min = models.FloatField(null=True, blank=True)
    intake_max = models.FloatField(null=True, blank=True)
    max_session = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["clinic", "instrument_code"], name="expected_recovery_fit_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"expected recovery on {self.instrument_code} ({self.n_cases} cases)"
