"""Each couple's progress signal: computed in bulk, kept for the caseload.

Reads scored submissions (never re-scores them), judges each partner with
`psychometrics.signals` (reliable change from intake, the review session, divergence), and
writes one `CoupleTrack` per couple. A submission of the clinic's outcome instrument refreshes
its couple's track in the submission's own transaction and raises the progress alert through
`rebond.alerts`, the clinician-only channel.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.timezone import now

import psychometrics
from psychometrics.signals import CoupleTrack as Judgement
from psychometrics.signals import PartnerTrack, Signal, judge_couple, judge_partner
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.parameters import Parameters, parameters_for, settings_for
from rebond.measurement.sessions import therapy_clocks

BATCH = 500  # couples per query: well under SQLite's limit on query parameters


def outcome_scores(
    couple_ids: Sequence[uuid.UUID], instrument_code: str
) -> dict[uuid.UUID, list[tuple[datetime, float]]]:
    """Return each partner's complete totals on one instrument with their times, oldest first.

    One query.

    Risk instruments never reach a couple-level view (DOMAIN header), whatever the code asked.
    """
    rows = (
        Submission.objects.filter(
            administration__couple_id__in=couple_ids,
            administration__instrument_code=instrument_code,
            administration__is_risk=False,
            complete=True,
            total__isnull=False,
        )
        .order_by("submitted_at", "id")
        .select_related("administration")
        # Totals are encrypted at rest (rebond/crypto): read through the model, never in SQL.
        .only("id", "submitted_at", "total", "administration__partner_id")
    )
    scores: dict[uuid.UUID, list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows:
        if row.total is not None:  # excluded by the filter; narrows the type
            scores[row.administration.partner_id].append((row.submitted_at, row.total))
    return scores


def category_of(params: Parameters, scores: Sequence[float]) -> str:
    """Return the Jacobson-Truax category of intake -> latest, or "" when it cannot be judged."""
    if len(scores) < 2:
        return ""
    try:
        result = psychometrics.assess_change(
            params.instrument, scores[0], scores[-1], scale=params.scale, norms=params.norms
        )
    except psychometrics.ScoringError:
        return ""
    return str(result.category)


@dataclass(frozen=True)
class CoupleJudgement:
    """Both partners' tracks and the couple's, on one instrument."""

    params: Parameters
    partners: tuple[PartnerTrack, PartnerTrack]
    couple: Judgement
    categories: tuple[str, str]
    scores: tuple[list[float], list[float]]


def judge(
    params: Parameters,
    partners: Sequence[Partner | None],
    scores: dict[uuid.UUID, list[float]],
    sessions: dict[uuid.UUID, list[int]] | None = None,
) -> CoupleJudgement:
    """Judge a couple's two partners (A, B) on one instrument.

    ``sessions`` gives each score's session number for an instrument not given every session.
    """
    criteria = params.criteria
    series = tuple(scores.get(p.id, []) if p is not None else [] for p in partners[:2])
    a_scores, b_scores = (list(series[0]), list(series[1])) if len(series) == 2 else ([], [])
    numbers = [
        sessions.get(p.id) if sessions is not None and p is not None else None for p in partners[:2]
    ]
    a = judge_partner(criteria, a_scores, numbers[0] if numbers else None)
    b = judge_partner(criteria, b_scores, numbers[1] if len(numbers) > 1 else None)
    names = tuple(p.display_name if p is not None else "Partner" for p in partners[:2])
    couple = judge_couple(
        a,
        b,
        divergence=params.divergence,
        names=(names[0], names[1]) if len(names) == 2 else ("Partner A", "Partner B"),
    )
    return CoupleJudgement(
        params,
        (a, b),
        couple,
        (category_of(params, a_scores), category_of(params, b_scores)),
        (a_scores, b_scores),
    )


def refresh_tracks(couple_ids: Iterable[uuid.UUID]) -> list[CoupleTrack]:
    """Recompute and store the track of each couple; a fixed number of queries per batch."""
    ids = list(couple_ids)
    tracks: list[CoupleTrack] = []
    for start in range(0, len(ids), BATCH):
        tracks.extend(_refresh_batch(ids[start : start + BATCH]))
    return tracks


def _refresh_batch(ids: list[uuid.UUID]) -> list[CoupleTrack]:
    couples = list(Couple.objects.filter(id__in=ids).only("id", "clinic_id"))
    partners: dict[uuid.UUID, dict[str, Partner]] = defaultdict(dict)
    for partner in Partner.objects.filter(couple_id__in=ids):
        partners[partner.couple_id][partner.role] = partner
    clinic_ids = {c.clinic_id for c in couples}
    rows = {s.clinic_id: s for s in MeasurementSettings.objects.filter(clinic_id__in=clinic_ids)}
    by_code: dict[str, list[Couple]] = defaultdict(list)
    for couple in couples:
        by_code[settings_for(couple.clinic_id, rows).outcome_instrument].append(couple)
    tracks = []
    empty: list[uuid.UUID] = []
    moment = now()
    clocks = therapy_clocks(ids)
    for code, group in by_code.items():
        try:
            instrument = psychometrics.get_instrument(code, include_unavailable=True)
        except psychometrics.ScoringError:
            continue
        timed = outcome_scores([c.id for c in group], code)
        scores = {pid: [total for _, total in rows_] for pid, rows_ in timed.items()}
        for couple in group:
            params = parameters_for(instrument, settings_for(couple.clinic_id, rows))
            if params is None:
                continue
            pair = [partners[couple.id].get("A"), partners[couple.id].get("B")]
            # Sessions counted as on the timeline and the progress page (measurement/sessions).
            clock = clocks.get(couple.id)
            sessions = None
            if clock is not None:
                sessions = {
                    p.id: [clock.session_at(at) for at, _ in timed.get(p.id, [])]
                    for p in pair
                    if p is not None
                }
            judged = judge(params, pair, scores, sessions)
            if not (judged.scores[0] or judged.scores[1]):
                empty.append(couple.id)  # no outcome scores: no track, "none" on the caseload
                continue
            a, b = judged.partners
            tracks.append(
                CoupleTrack(
                    couple_id=couple.id,
                    instrument_code=code,
                    signal=judged.couple.signal,
                    diverging=judged.couple.diverging,
                    a_signal=a.signal,
                    a_score=a.score,
                    a_category=judged.categories[0],
                    b_signal=b.signal,
                    b_score=b.score,
                    b_category=judged.categories[1],
                    reasons=list(judged.couple.reasons),
                    sessions=max(len(judged.scores[0]), len(judged.scores[1])),
                    computed_at=moment,
                )
            )
    CoupleTrack.objects.filter(couple_id__in=empty).delete()
    fields = [f.name for f in CoupleTrack._meta.concrete_fields if f.name != "couple"]
    CoupleTrack.objects.bulk_create(
        tracks, update_conflicts=True, unique_fields=["couple"], update_fields=fields
    )
    return tracks


def track_after_submission(submission: Submission) -> CoupleTrack | None:
    """Refresh the couple's track after a submission of its outcome instrument; alert if flagged.

    Runs in the submission's transaction, like the safety rules (rebond/alerts), so a scored
    outcome can never be stored without its couple's signal being brought up to date.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("track_after_submission() must run inside the submission's transaction.")
    administration = submission.administration
    couple = administration.couple
    settings = settings_for(
        couple.clinic_id,
        {s.clinic_id: s for s in MeasurementSettings.objects.filter(clinic_id=couple.clinic_id)},
    )
    if administration.is_risk or administration.instrument_code != settings.outcome_instrument:
        return None
    tracks = refresh_tracks([couple.id])
    if not tracks:
        return None
    track = tracks[0]
    from rebond.alerts.actions import raise_track_alert

    raise_track_alert(submission, track.signal, _subject_partner(track, couple))
    return track


def _subject_partner(track: CoupleTrack, couple: Couple) -> tuple[uuid.UUID | None, bool]:
    """Return the partner an alert is about (worse off first) and whether one deteriorated."""
    partners = {p.role: p.id for p in couple.partners.all()}
    signals = (("A", track.a_signal), ("B", track.b_signal))
    deteriorated = [role for role, signal in signals if signal == Signal.DETERIORATED]
    off = [role for role, signal in signals if signal == Signal.NOT_IMPROVED]
    # Diverging only: the partner whose latest score is worse, in the scale's own direction.
    instrument = psychometrics.get_instrument(track.instrument_code, include_unavailable=True)
    scale = instrument.scale(instrument.primary) if instrument.primary else None
    a, b = track.a_score or 0, track.b_score or 0
    a_worse = a <= b if scale is None or scale.higher_is_better else a >= b
    chosen = (deteriorated or off or ["A" if a_worse else "B"])[0]
    return partners.get(chosen), bool(deteriorated)
