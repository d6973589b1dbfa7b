"""Expected recovery from the clinic's own closed cases (issue 17, item 2).

The arithmetic is `psychometrics.local_norms` (score ~ intake + ln(session), its residual
spread and a 10% failure boundary, after Finch, Lambert & Schaalje 2001; what is simplified is
written there). This module decides what goes into it and what comes out of it:

- Which scores. Per clinic and instrument (its primary total; risk instruments never), the
  clinic's closed cases (`access.TREATMENT_ENDED`). Each partner's first score on the
  instrument is their intake (session 0, the predictor); later scores count sessions since it
  exactly as the progress page does (rebond/measurement/progress.py, `load`): therapy sessions
  where the case recorded any (rebond/measurement/sessions.py), otherwise check-ins of the
  clinic's outcome instrument (observation k is session k), another instrument's score counting
  as the check-in on or before its day. Scores after the case ended (`access.treatment_endings`:
  the move to a terminal status or follow-up after its last reopening) are left out: the curve
  describes the course of treatment, not follow-up. A partner counts with an intake and at
  least two scores at later sessions (three measurements); a case counts when one of its
  partners does.
- When. Only when an instrument has at least the clinic's threshold of such closed cases
  (default 150, a judgement: docs/measurement.md); below it, nothing is drawn and the page says
  "not enough closed cases yet (n of 150)". A clinic may choose from 30 to 5,000: below 30 one
  unusual case moves the curve, and DOMAIN.md 6 first named 30 as its example; 5,000 is only a
  guard against typing errors.
- How often. On demand from /settings/measurement/expected-recovery/ (clinic admins and
  supervisors) and nightly (`rebond expected_recovery_sweep`, a daily timer in docs/deploy.md),
  each a background task (rebond/measurement/tasks.py) whose progress the page polls.
- What is drawn. On a progress chart and in the PDF report, for a partner's intake: the
  expected path and the 10% failure boundary, from the first session after their intake to four
  sessions beyond their latest score (at least eight), never past the last session the
  clinic's cases reached; labelled "Expected at this clinic, from N closed cases, fitted on
  DATE".

Only aggregates are stored (coefficients, counts, dates): no case, partner or score.
"""

from __future__ import annotations

import bisect
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import psychometrics
from psychometrics.errors import InsufficientData
from psychometrics.local_norms import LocalFit, PathPoint, Trajectory, fit, path
from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.audit.updates import audited_update
from rebond.lib.clinic_time import clinic_localtime
from rebond.lib.errors import ActionError
from rebond.measurement.models import (
    DEFAULT_OUTCOME_INSTRUMENT,
    MIN_CLOSED_CASES_RANGE,
    ExpectedRecoveryFit,
    ExpectedRecoveryState,
    MeasurementSettings,
)
from rebond.measurement.sessions import SessionClock, therapy_clocks

if TYPE_CHECKING:
    from rebond.measurement.progress import InstrumentProgress, Observation

logger = logging.getLogger(__name__)

Status = ExpectedRecoveryState.Status

# Display only: how far ahead of a partner's latest score the path is drawn, and its least length.
SESSIONS_AHEAD = 4
LEAST_SESSIONS_DRAWN = 8
# The nightly refit: due again this long after the last one started (a daily timer, so a day
# less an hour's slack for the timer's own drift).
REFIT_EVERY = timedelta(hours=23)
# A refit queued or running this long is taken to have died with its worker: a new one may start.
STALE_AFTER = timedelta(hours=2)
# Progress is written every this many scores read.
PROGRESS_EVERY = 500


# --- What the fit reads --------------------------------------------------------------------------


@dataclass
class Gathered:
    """Each instrument's partner series (intake first) of the clinic's closed cases."""

    trajectories: dict[str, list[Trajectory]]
    outcome_instrument: str

    def eligible_cases(self, code: str) -> int:
        """Return how many closed cases have a partner with three or more scores on `code`."""
        return len({t.case for t in self.trajectories.get(code, []) if t.is_usable})


def outcome_instrument_of(clinic_id: uuid.UUID) -> str:
    """Return the clinic's outcome instrument (its settings, else the default)."""
    row = MeasurementSettings.objects.filter(clinic_id=clinic_id).first()
    return row.outcome_instrument if row is not None else DEFAULT_OUTCOME_INSTRUMENT


def _primary(code: str) -> str | None:
    try:
        instrument = psychometrics.get_instrument(code)
    except psychometrics.ScoringError:
        return None
    return instrument.primary


Row = tuple[datetime, str, dict[str, Any]]  # when, instrument code, scores


def _session_numbers(
    rows: list[Row], outcome: str, days: list[datetime], clock: SessionClock | None
) -> list[int]:
    """Number one partner's scores on one instrument as the progress page does."""
    numbers = []
    for index, (at, code, _scores) in enumerate(rows):
        if clock is not None:
            numbers.append(clock.session_at(at))
        elif code == outcome or not days:
            numbers.append(index)
        else:
            numbers.append(max(0, bisect.bisect_right(days, at + timedelta(hours=12)) - 1))
    return numbers


def series_of(case: uuid.UUID, numbered: list[tuple[int, float]]) -> Trajectory:
    """Return a partner's series: the first score is the intake; later ones by session since it,
    the last score of each session kept (as the progress table shows it)."""
    start, intake = numbered[0]
    later: dict[int, float] = {}
    for session, score in numbered[1:]:
        if session - start >= 1:
            later[session - start] = score
    return Trajectory(case, intake, sorted(later.items()))


def gather(clinic_id: uuid.UUID, progress: Callable[[int, int], None] | None = None) -> Gathered:
    """Read the clinic's closed-case scores and return each instrument's partner series.

    A fixed number of queries, whatever the number of cases: the cases' end dates, their
    therapy sessions, and the scores (read in chunks; `progress(done, total)` after each).
    """
    outcome = outcome_instrument_of(clinic_id)
    cases = access.closed_cases_for_fit(clinic_id)
    ends = access.treatment_endings(clinic_id)
    clocks = therapy_clocks(cases.values_list("id", flat=True))
    scores = access.closed_case_scores(clinic_id)
    total = scores.count()
    by_case: dict[uuid.UUID, dict[uuid.UUID, dict[str, list[Row]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for done, row in enumerate(scores.iterator(chunk_size=PROGRESS_EVERY), start=1):
        administration = row.administration
        end = ends.get(administration.couple_id)
        if end is None or row.submitted_at <= end:
            code = administration.instrument_code
            by_case[administration.couple_id][administration.partner_id][code].append(
                (row.submitted_at, code, row.scores)
            )
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    trajectories: dict[str, list[Trajectory]] = defaultdict(list)
    for case, partners in by_case.items():
        clock = clocks.get(case)
        # The session days: the outcome instrument's longest partner series (progress.load).
        longest = max((codes.get(outcome, []) for codes in partners.values()), key=len)
        days = sorted(at for at, _, _ in longest)
        for codes in partners.values():
            for code, rows in codes.items():
                scale = _primary(code)
                if scale is None:
                    continue
                numbers = _session_numbers(rows, outcome, days, clock)
                numbered = [
                    (number, float(value))
                    for number, (_, _, values) in zip(numbers, rows, strict=True)
                    if (value := values.get(scale)) is not None
                ]
                if numbered:
                    trajectories[code].append(series_of(case, numbered))
    return Gathered(dict(trajectories), outcome)


# --- The refit -----------------------------------------------------------------------------------


def state_of(clinic_id: uuid.UUID) -> ExpectedRecoveryState:
    """Return the clinic's state row, unsaved with the defaults before its first use."""
    row = access.expected_recovery_state(clinic_id).first()
    return row or ExpectedRecoveryState(clinic_id=clinic_id)


def _progress(clinic_id: uuid.UUID, **values: Any) -> None:
    """Write the refit's progress at once (its own statement, outside any transaction), so the
    page's poll sees it while the refit runs."""
    ExpectedRecoveryState.objects.filter(clinic_id=clinic_id).update(**values)


def _store(
    row: ExpectedRecoveryFit, eligible: int, model: LocalFit | None, error: str, at: datetime
) -> None:
    row.eligible_cases = eligible
    row.counted_at = at
    row.error = error
    if model is None:
        row.intercept = row.intake_slope = row.log_session_slope = row.residual_sd = None
        row.intake_min = row.intake_max = row.fitted_at = None
        row.n_cases = row.n_partners = row.n_observations = row.max_session = 0
    else:
        row.intercept = model.intercept
        row.intake_slope = model.intake_slope
        row.log_session_slope = model.log_session_slope
        row.residual_sd = model.residual_sd
        row.n_cases = model.n_cases
        row.n_partners = model.n_partners
        row.n_observations = model.n_observations
        row.intake_min, row.intake_max = model.intake_range
        row.max_session = model.max_session
        row.fitted_at = at
    row.save()


def refit(clinic_id: uuid.UUID) -> dict[str, int]:
    """Count and fit every instrument of the clinic; return the closed cases eligible on each.

    Progress is written as it goes (reading the scores, then one instrument at a time). An
    instrument below the clinic's threshold, or whose fit fails, keeps its count and loses its
    curve: an old curve is never shown once the data no longer carry it.
    """
    started = now()
    ExpectedRecoveryState.objects.get_or_create(clinic_id=clinic_id)
    _progress(
        clinic_id,
        status=Status.RUNNING,
        started_at=started,
        finished_at=None,
        step=_("Reading the closed cases' scores"),
        done=0,
        total=0,
        error="",
    )
    try:
        threshold = state_of(clinic_id).min_closed_cases
        gathered = gather(
            clinic_id, lambda done, total: _progress(clinic_id, done=done, total=total)
        )
        existing = {f.instrument_code: f for f in access.expected_recovery_fits(clinic_id)}
        codes = sorted(set(gathered.trajectories) | set(existing) | {gathered.outcome_instrument})
        _progress(clinic_id, step=_("Fitting each questionnaire"), done=0, total=len(codes))
        counts = {}
        for done, code in enumerate(codes, start=1):
            eligible = gathered.eligible_cases(code)
            model, error = None, ""
            if eligible >= threshold:
                try:
                    model = fit(gathered.trajectories[code], min_cases=threshold)
                except InsufficientData as exc:
                    error = str(exc)[:200]
            row = existing.get(code) or ExpectedRecoveryFit(
                clinic_id=clinic_id, instrument_code=code
            )
            _store(row, eligible, model, error, now())
            counts[code] = eligible
            _progress(clinic_id, done=done)
    except Exception:
        logger.exception("expected-recovery refit failed")
        _progress(
            clinic_id,
            status=Status.FAILED,
            finished_at=now(),
            error=_("The refit stopped with an error; the worker's log has the details."),
        )
        raise
    _progress(clinic_id, status=Status.DONE, finished_at=now(), step="")
    return counts


def is_busy(state: ExpectedRecoveryState, at: datetime | None = None) -> bool:
    """Return whether a refit is queued or running, and not so long that its worker has died."""
    if state.status not in (Status.QUEUED, Status.RUNNING):
        return False
    since = state.started_at if state.status == Status.RUNNING else state.requested_at
    return since is not None and since > (at or now()) - STALE_AFTER


def _enqueue(clinic_id: uuid.UUID) -> None:
    from rebond.measurement.tasks import refit_expected_recovery

    refit_expected_recovery.enqueue(str(clinic_id))


@transaction.atomic
def request_refit(user: User) -> bool:
    """Queue a refit of the user's clinic (clinic admins and supervisors); return False when one
    is already queued or running. Audited; the task is enqueued after commit."""
    clinic = access.get_expected_recovery_clinic(user)
    state, _created = ExpectedRecoveryState.objects.select_for_update().get_or_create(clinic=clinic)
    if is_busy(state):
        return False
    state.status, state.requested_at, state.error = Status.QUEUED, now(), ""
    state.save(update_fields=["status", "requested_at", "error"])
    audit.log(
        actor=user, action="measurement.expected_recovery.refit", obj=state, clinic_id=clinic.id
    )
    transaction.on_commit(lambda: _enqueue(clinic.id))
    return True


def threshold_error(value: int | None) -> str:
    """Return why a threshold of closed cases cannot be used, or ""."""
    low, high = MIN_CLOSED_CASES_RANGE
    if value is None or not low <= value <= high:
        return _("Use a whole number of closed cases from %(low)s to %(high)s.") % {
            "low": low,
            "high": high,
        }
    return ""


@transaction.atomic
def set_threshold(user: User, value: int | None) -> ExpectedRecoveryState:
    """Save the clinic's threshold of closed cases (clinic admins), audited; refit after commit
    when it changed, so the page and the charts follow the new threshold."""
    clinic = access.get_expected_recovery_threshold_clinic(user)
    error = threshold_error(value)
    if error:
        raise ActionError(_("The threshold could not be saved."), {"min_closed_cases": [error]})
    state, _created = ExpectedRecoveryState.objects.select_for_update().get_or_create(clinic=clinic)
    changed = audited_update(
        state,
        {"min_closed_cases": value},
        user,
        "measurement.expected_recovery.threshold",
        clinic_id=clinic.id,
    )
    if changed and not is_busy(state):
        state.status, state.requested_at = Status.QUEUED, now()
        state.save(update_fields=["status", "requested_at"])
        transaction.on_commit(lambda: _enqueue(clinic.id))
    return state


def claim_nightly(clinic_id: uuid.UUID, at: datetime) -> bool:
    """Queue the clinic's nightly refit if it is due (the last one started over REFIT_EVERY ago
    and none is under way); return whether this caller did. One conditional UPDATE decides."""
    ExpectedRecoveryState.objects.get_or_create(clinic_id=clinic_id)
    state = state_of(clinic_id)
    if is_busy(state, at):
        return False
    last = state.started_at
    if last is not None and last > at - REFIT_EVERY:
        return False
    rows = ExpectedRecoveryState.objects.filter(
        clinic_id=clinic_id, started_at=last, status=state.status
    )
    return rows.update(status=Status.QUEUED, requested_at=at, started_at=at) == 1


def sweep(at: datetime | None = None) -> int:
    """Queue the nightly refit of every clinic whose refit is due; return how many."""
    at = at or now()
    queued = 0
    for clinic_id in Clinic.objects.values_list("id", flat=True):
        if claim_nightly(clinic_id, at):
            _enqueue(clinic_id)
            queued += 1
    return queued


# --- What the page shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument on the expected-recovery page."""

    code: str
    eligible: int | None  # None: not counted yet
    threshold: int
    fit: ExpectedRecoveryFit | None

    @property
    def is_fitted(self) -> bool:
        return (
            self.fit is not None
            and self.fit.fitted_at is not None
            and self.fit.n_cases >= self.threshold
        )

    @property
    def enough(self) -> bool:
        return self.eligible is not None and self.eligible >= self.threshold


def overview(clinic_id: uuid.UUID) -> tuple[ExpectedRecoveryState, list[InstrumentRow]]:
    """Return the clinic's state and one row per instrument counted (the outcome one always)."""
    state = state_of(clinic_id)
    fits = {f.instrument_code: f for f in access.expected_recovery_fits(clinic_id)}
    outcome = outcome_instrument_of(clinic_id)
    codes = sorted(set(fits) | {outcome}, key=lambda c: (c != outcome, c))
    rows = [
        InstrumentRow(
            code,
            fits[code].eligible_cases if code in fits else None,
            state.min_closed_cases,
            fits.get(code),
        )
        for code in codes
    ]
    return state, rows


# --- What a progress chart draws -----------------------------------------------------------------


@dataclass(frozen=True)
class ClinicExpectation:
    """A clinic's fitted curve on one instrument, ready to draw for a partner."""

    instrument_code: str
    model: LocalFit
    fitted_at: datetime
    label: str


def _model(row: ExpectedRecoveryFit) -> LocalFit | None:
    values = (row.intercept, row.intake_slope, row.log_session_slope, row.residual_sd)
    if row.intake_min is None or row.intake_max is None or any(v is None for v in values):
        return None
    b0, b1, b2, sd = (float(v) for v in values if v is not None)
    return LocalFit(
        intercept=b0,
        intake_slope=b1,
        log_session_slope=b2,
        residual_sd=sd,
        n_cases=row.n_cases,
        n_partners=row.n_partners,
        n_observations=row.n_observations,
        intake_range=(row.intake_min, row.intake_max),
        max_session=row.max_session,
    )


def label_for(clinic: Clinic, n_cases: int, fitted_at: datetime) -> str:
    """Return the curve's label: "Expected at this clinic, from N closed cases, fitted on DATE"."""
    day = date_format(clinic_localtime(clinic, fitted_at), "j M Y")
    return ngettext(
        "Expected at this clinic, from %(n)s closed case, fitted on %(date)s",
        "Expected at this clinic, from %(n)s closed cases, fitted on %(date)s",
        n_cases,
    ) % {"n": n_cases, "date": day}


def clinic_expectation(clinic: Clinic, instrument_slug: str) -> ClinicExpectation | None:
    """Return the clinic's curve for the chart `instrument_slug`, or None when there is none to
    draw: no fit, fewer closed cases than the clinic's threshold now asks, or a scale other than
    the instrument's total (a slug "CODE~scale"). Two queries."""
    row = access.expected_recovery_fits(clinic.id).filter(instrument_code=instrument_slug).first()
    model = _model(row) if row is not None else None
    if row is None or model is None or row.fitted_at is None:
        return None
    if row.n_cases < state_of(clinic.id).min_closed_cases:
        return None
    return ClinicExpectation(
        instrument_slug, model, row.fitted_at, label_for(clinic, row.n_cases, row.fitted_at)
    )


def partner_path(
    expectation: ClinicExpectation,
    observations: Iterable[Observation],
    *,
    higher_is_better: bool,
    score_range: tuple[float, float],
) -> list[PathPoint]:
    """Return the path and boundary for a partner's scores (objects with `session` and `score`,
    intake first), on the chart's axis: session k after their intake is drawn at intake + k."""
    seen = list(observations)
    if not seen:
        return []
    start = seen[0].session
    horizon = max(seen[-1].session - start + SESSIONS_AHEAD, LEAST_SESSIONS_DRAWN)
    points = path(
        expectation.model,
        seen[0].score,
        horizon,
        higher_is_better=higher_is_better,
        score_range=score_range,
    )
    return [replace(p, session=p.session + start) for p in points]


def with_clinic_expectation(item: InstrumentProgress, clinic: Clinic) -> InstrumentProgress:
    """Add the clinic's curve, when it has one for the item's chart, to a progress item
    (progress.InstrumentProgress): each partner's path and boundary on the chart, the label,
    and a sentence in the text alternative. Returns the item, changed in place."""
    expectation = clinic_expectation(clinic, item.slug)
    if expectation is None:
        return item
    chart = item.chart
    lines = [
        replace(
            line,
            local_path=partner_path(
                expectation,
                observations,
                higher_is_better=chart.higher_is_better,
                score_range=chart.y_range,
            ),
        )
        for line, observations in zip(chart.partners, item.series, strict=True)
    ]
    item.chart = replace(chart, partners=lines, local_label=expectation.label)
    outside = [
        line.name
        for line, observations in zip(chart.partners, item.series, strict=True)
        if observations
        and not expectation.model.intake_range[0]
        <= observations[0].score
        <= expectation.model.intake_range[1]
    ]
    notes = [expectation.label + "."]
    if outside:
        low, high = expectation.model.intake_range
        notes.append(
            _(
                "%(names)s: intake outside the intakes of those cases (%(low)s to %(high)s), so "
                "the curve is extrapolated."
            )
            % {"names": ", ".join(outside), "low": f"{low:g}", "high": f"{high:g}"}
        )
    item.alt = f"{item.alt} {' '.join(notes)}"
    item.chart = replace(item.chart, local_note=" ".join(notes[1:]))
    return item
