"""The honest progress signal: reliable change from intake, the review session, divergence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psychometrics.signals import (
    DEFAULT_REVIEW_SESSION,
    CoupleSignal,
    Criteria,
    Signal,
    judge_couple,
    judge_partner,
)

# RDAS: 0-69, higher is better, cut-off 47.31 and reliable change 11.58 (Anderson et al. 2014).
RDAS = Criteria(higher_is_better=True, reliable_change=11.58, cutoff=47.31)
# PHQ-9: higher is worse, caseness 10, reliable change 6 points (NHS Talking Therapies).
PHQ = Criteria(higher_is_better=False, reliable_change=6, cutoff=10)
# CSI-4: no published reliable-change figure (INSTRUMENT-KEYS-2.md 1.4).
CSI = Criteria(higher_is_better=True, cutoff=13.5)


def test_the_review_session_defaults_to_six_a_practice_choice() -> None:
    assert DEFAULT_REVIEW_SESSION == 6
    assert RDAS.review_session == 6


def test_an_improvement_smaller_than_the_reliable_change_figure_is_no_reliable_change() -> None:
    track = judge_partner(RDAS, [30, 33, 36, 41])  # 11 points better: less than 11.58
    assert track.signal == Signal.NO_RELIABLE_CHANGE
    assert track.gain == 11
    assert track.band == pytest.approx((18.42, 41.58))
    assert track.reason == "No reliable change yet (11 points; reliable change 11.6)."


def test_a_drop_larger_than_the_reliable_change_figure_is_deteriorated() -> None:
    track = judge_partner(RDAS, [30, 25, 18])  # 12 points worse
    assert track.signal == Signal.DETERIORATED
    assert track.reason.startswith("Reliably worse than at intake (12 points;")
    assert judge_partner(PHQ, [8, 15]).signal == Signal.DETERIORATED  # symptoms up by 7
    assert judge_partner(PHQ, [8, 13]).signal == Signal.NO_RELIABLE_CHANGE


def test_deterioration_is_flagged_at_the_first_session_after_intake() -> None:
    assert judge_partner(RDAS, [40, 28]).signal == Signal.DETERIORATED


def test_a_change_of_exactly_the_figure_is_reliable() -> None:
    exact = Criteria(higher_is_better=True, reliable_change=4, cutoff=13.5)
    assert judge_partner(exact, [5, 9]).signal == Signal.IMPROVED
    assert judge_partner(exact, [9, 5]).signal == Signal.DETERIORATED


def test_a_reliable_improvement_is_improved_at_any_session() -> None:
    track = judge_partner(RDAS, [30, 36, 42])
    assert track.signal == Signal.IMPROVED
    assert "Reliably better" in track.reason
    assert judge_partner(PHQ, [18, 12]).signal == Signal.IMPROVED


def test_no_reliable_improvement_by_the_review_session_is_amber() -> None:
    stuck = [30, 31, 32, 33, 34, 35]
    assert judge_partner(RDAS, stuck).signal == Signal.NO_RELIABLE_CHANGE  # session 5
    track = judge_partner(RDAS, [*stuck, 35])  # session 6
    assert track.signal == Signal.NOT_IMPROVED
    assert track.reason == (
        "No reliable improvement by session 6 (5 points since intake; reliable change 11.6)."
    )
    later = Criteria(higher_is_better=True, reliable_change=11.58, cutoff=47.31, review_session=8)
    assert judge_partner(later, [*stuck, 35]).signal == Signal.NO_RELIABLE_CHANGE


def test_a_partner_beyond_the_cutoff_is_not_flagged_for_no_improvement() -> None:
    assert judge_partner(RDAS, [50, 51, 52, 50, 51, 52, 53]).signal == Signal.NO_RELIABLE_CHANGE
    assert judge_partner(PHQ, [6, 6, 5, 6, 5, 6, 5]).signal == Signal.NO_RELIABLE_CHANGE
    no_cutoff = Criteria(higher_is_better=True, reliable_change=5)
    assert judge_partner(no_cutoff, [50] * 7).signal == Signal.NOT_IMPROVED


def test_without_a_reliable_change_figure_nothing_is_judged_or_flagged() -> None:
    # A partner who gained 5 CSI-4 points, and one who lost 8: neither is judged.
    gained = judge_partner(CSI, [5, 6, 7, 8, 9, 10, 10])
    lost = judge_partner(CSI, [12, 10, 8, 6, 5, 4, 4])
    assert gained.signal == lost.signal == Signal.NOT_JUDGED
    assert gained.band is None
    assert "No published reliable-change figure" in gained.reason
    couple = judge_couple(gained, lost, divergence=None)
    assert couple.signal == CoupleSignal.NOT_JUDGED
    assert (couple.diverging, couple.reasons) == (False, ())
    intake_only = judge_partner(CSI, [5])
    assert intake_only.signal == Signal.BASELINE
    pair = judge_couple(intake_only, judge_partner(CSI, []), divergence=None)
    assert pair.signal == CoupleSignal.NOT_JUDGED


def test_an_instrument_given_every_few_sessions_is_judged_at_its_own_session() -> None:
    track = judge_partner(RDAS, [30, 31, 32], sessions=[2, 5, 8])  # session 6 after intake
    assert (track.signal, track.session) == (Signal.NOT_IMPROVED, 6)
    assert judge_partner(RDAS, [30, 31, 32]).signal == Signal.NO_RELIABLE_CHANGE
    with pytest.raises(ValueError, match="session numbers"):
        judge_partner(RDAS, [4, 4], sessions=[0])


def test_no_scores_and_an_intake_score_alone_are_not_judged() -> None:
    assert judge_partner(RDAS, []).signal == Signal.NO_DATA
    only = judge_partner(RDAS, [40])
    assert (only.signal, only.baseline, only.gain) == (Signal.BASELINE, 40, None)
    assert only.band == pytest.approx((28.42, 51.58))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"review_session": 0}, "review from session"),
        ({"reliable_change": 0.0}, "reliable change"),
        ({"reliable_change": float("nan")}, "reliable change"),
    ],
)
def test_unusable_criteria_are_refused_with_the_reason(
    changes: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Criteria(higher_is_better=True, **changes)  # type: ignore[arg-type]


def test_one_partner_reliably_worse_makes_the_couple_red() -> None:
    a = judge_partner(RDAS, [30, 45])
    b = judge_partner(RDAS, [30, 15])
    couple = judge_couple(a, b, divergence=16.38, names=("Sam", "Alex"))
    assert couple.signal == CoupleSignal.WORSE
    assert couple.reasons[0].startswith("Alex: Reliably worse")
    assert couple.diverging  # gains 15 and -15: 30 apart


def test_one_partner_without_reliable_improvement_by_the_review_session_is_amber() -> None:
    a = judge_partner(RDAS, [30, 34, 38, 42, 44, 45, 46])
    b = judge_partner(RDAS, [30] * 7)
    assert (a.signal, b.signal) == (Signal.IMPROVED, Signal.NOT_IMPROVED)
    couple = judge_couple(a, b, divergence=None)
    assert couple.signal == CoupleSignal.REVIEW
    assert couple.reasons == ("Partner B: " + b.reason,)


def test_partners_who_diverge_are_to_review_even_inside_their_bands() -> None:
    a = judge_partner(RDAS, [30, 41])  # +11: not reliable
    b = judge_partner(RDAS, [30, 20])  # -10: not reliable
    assert (a.signal, b.signal) == (Signal.NO_RELIABLE_CHANGE, Signal.NO_RELIABLE_CHANGE)
    couple = judge_couple(a, b, divergence=16.38)
    assert (couple.signal, couple.diverging) == (CoupleSignal.REVIEW, True)
    assert "diverge" in couple.reasons[0]
    assert judge_couple(a, b, divergence=21.5).signal == CoupleSignal.NOT_YET
    with pytest.raises(ValueError, match="divergence"):
        judge_couple(a, b, divergence=0)


def test_both_reliably_improved_make_an_improving_couple() -> None:
    a = judge_partner(RDAS, [30, 42])
    b = judge_partner(RDAS, [35, 48])
    assert judge_couple(a, b, divergence=16.38).signal == CoupleSignal.IMPROVING
    assert judge_couple(a, judge_partner(RDAS, []), divergence=1).signal == CoupleSignal.NOT_YET


@given(
    intake=st.floats(0, 69),
    latest=st.floats(0, 69),
    session=st.integers(1, 30),
)
def test_the_signal_depends_only_on_intake_latest_figure_cutoff_and_session(
    intake: float, latest: float, session: int
) -> None:
    scores = [intake] + [intake] * (session - 1) + [latest]
    track = judge_partner(RDAS, scores)
    direct = judge_partner(RDAS, [intake, latest], sessions=[0, session])
    assert track.signal == direct.signal
    gain = latest - intake
    assert (track.signal == Signal.DETERIORATED) == (-gain >= 11.58)
    assert (track.signal == Signal.IMPROVED) == (gain >= 11.58)
