"""The clinic's benchmarks: each consenting partner's first and last score per instrument on
the cases that ended, handed to `psychometrics.benchmarks`.

The rows are chosen in rebond/access/outcomes.py (ended cases, consent to service evaluation,
no risk instruments). Here:

- a case's end is when it last entered an ended status (a case reopened and closed again
  ends at its second closing); scores given more than `GRACE` after it are follow-ups
  (DOMAIN 8: 6, 12, 24 months) and are left out, so the last score is the end of therapy;
  a case with no recorded transition (imported, or older than the lifecycle) ends at its last
  update;
- a partner counts on an instrument with two scores or more on its total (first and last);
- a partner's role is "hurt" when every injury of theirs names them as hurt, "hurtful" when
  every one names them as hurtful, and "" otherwise (none recorded, or both: mutual
  injuries count in "all partners" only);
- a year, when asked for, is the calendar year (clinic time) in which the case ended.

Nothing here reads a name, a label or free text.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psychometrics
from psychometrics import Instrument
from psychometrics.benchmarks import Benchmark, Pair, benchmark
from rebond import access
from rebond.accounts.models import Clinic
from rebond.assessments import scoring
from rebond.lib.clinic_time import clinic_localtime

# A practice choice: a last questionnaire answered a little after the case was closed still
# belongs to the therapy; follow-ups come months later (DOMAIN 8).
GRACE = timedelta(days=14)


@dataclass(frozen=True)
class InstrumentBenchmark:
    """One instrument's figures for the clinic."""

    instrument: Instrument
    result: Benchmark

    @property
    def code(self) -> str:
        return self.instrument.code

    @property
    def slug(self) -> str:
        return self.instrument.code.lower()


@dataclass
class ClinicBenchmarks:
    clinic: Clinic
    year: int | None
    years: list[int] = field(default_factory=list)  # years in which a case ended
    instruments: list[InstrumentBenchmark] = field(default_factory=list)
    cases: int = 0  # ended cases with at least one consenting partner's pair

    def instrument(self, slug: str) -> InstrumentBenchmark | None:
        return next((i for i in self.instruments if i.slug == slug), None)


def _endings(clinic: Clinic) -> dict[uuid.UUID, datetime]:
    """Return when each ended case ended (access.treatment_endings), or, for a case that
    recorded no move, its last update: the year a case counts in needs a date."""
    ended = access.treatment_endings(clinic.id)
    return {
        couple.id: ended.get(couple.id) or couple.updated_at
        for couple in access.benchmark_case_dates(clinic.id)
    }


def _roles(clinic: Clinic) -> dict[uuid.UUID, str]:
    """Return each partner's role where every injury of theirs agrees (see the docstring)."""
    seen: dict[uuid.UUID, set[str]] = defaultdict(set)
    for injury in access.benchmark_injuries(clinic.id):
        seen[injury.hurt_partner_id].add("hurt")
        seen[injury.hurtful_partner_id].add("hurtful")
    return {partner: roles.pop() for partner, roles in seen.items() if len(roles) == 1}


def _instrument(code: str, cache: dict[str, Instrument | None]) -> Instrument | None:
    """Return an instrument that may be benchmarked: known, no risk instrument, with a total."""
    if code not in cache:
        try:
            found: Instrument | None = psychometrics.get_instrument(code, include_unavailable=True)
        except psychometrics.ScoringError:
            found = None
        if found is not None and (scoring.is_risk_instrument(found) or found.primary is None):
            found = None
        cache[code] = found
    return cache[code]


def load(clinic: Clinic, year: int | None = None) -> ClinicBenchmarks:
    """Return the clinic's benchmarks, over every ended case or those that ended in `year`."""
    endings = _endings(clinic)
    years = sorted({clinic_localtime(clinic, at).year for at in endings.values()}, reverse=True)
    roles = _roles(clinic)
    instruments: dict[str, Instrument | None] = {}
    scores: dict[str, dict[uuid.UUID, list[float]]] = defaultdict(lambda: defaultdict(list))
    case_of: dict[uuid.UUID, uuid.UUID] = {}
    used: dict[str, Instrument] = {}
    for submission in access.benchmark_submissions(clinic.id):
        administration = submission.administration
        ended = endings.get(administration.couple_id)
        if ended is None or submission.submitted_at > ended + GRACE:
            continue
        if year is not None and clinic_localtime(clinic, ended).year != year:
            continue
        instrument = _instrument(administration.instrument_code, instruments)
        if instrument is None or instrument.primary is None:
            continue
        value = submission.scores.get(instrument.primary)
        if value is None:
            continue
        scores[instrument.code][administration.partner_id].append(float(value))
        used[instrument.code] = instrument
        case_of[administration.partner_id] = administration.couple_id
    result = ClinicBenchmarks(clinic, year, years)
    counted: set[uuid.UUID] = set()
    for code in sorted(scores):
        instrument = used[code]
        pairs = [
            Pair(str(case_of[partner]), series[0], series[-1], roles.get(partner, ""))
            for partner, series in scores[code].items()
            if len(series) >= 2
        ]
        if not pairs:
            continue
        counted |= {uuid.UUID(p.case) for p in pairs}
        result.instruments.append(InstrumentBenchmark(instrument, benchmark(instrument, pairs)))
    result.cases = len(counted)
    return result
