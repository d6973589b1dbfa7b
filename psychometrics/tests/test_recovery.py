"""Expected recovery and the not-on-track rule, on synthetic trajectories drawn from the curve."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psychometrics.recovery import (
    CoupleSignal,
    Course,
    Signal,
    expected_curve,
    expected_score,
    judge_couple,
    judge_partner,
)

# CSI-4-like: 0-21, higher is better, cut-off 13.5; tolerance and reliable change chosen here.
CSI = Course(cutoff=13.5, higher_is_better=True, tolerance=2.0, reliable_change=4.0)
# PHQ-9-like: higher is worse, caseness 10, reliable change 6 points.
PHQ = Course(cutoff=10, higher_is_better=False, tolerance=6, reliable_change=6)


def on_curve(course: Course, baseline: float, sessions: int, offset: float = 0.0) -> list[float]:
    """Return a trajectory drawn from the expected curve, shifted by `offset` (good direction)."""
    shift = offset if course.higher_is_better else -offset
    return [baseline] + [
        expected_score(course, baseline, s) + shift for s in range(1, sessions + 1)
    ]


def test_the_expected_score_runs_in_a_straight_line_from_intake_to_the_cutoff() -> None:
    assert expected_score(CSI, 3.5, 0) == 3.5
    assert expected_score(CSI, 3.5, 10) == pytest.approx(8.5)
    assert expected_score(CSI, 3.5, 20) == pytest.approx(13.5)
    assert expected_score(CSI, 3.5, 30) == pytest.approx(13.5)  # it plateaus after the course


def test_a_symptom_scale_is_expected_to_fall_towards_its_cutoff() -> None:
    assert expected_score(PHQ, 20, 10) == pytest.approx(15)
    assert expected_score(PHQ, 20, 25) == pytest.approx(10)


def test_a_partner_who_starts_outside_the_distressed_range_is_expected_to_hold_their_score() -> (
    None
):
    assert expected_score(CSI, 17, 12) == 17
    assert expected_score(PHQ, 4, 12) == 4


def test_the_curve_carries_the_tolerance_band_on_the_worse_side() -> None:
    curve = expected_curve(CSI, 3.5, 2)
    assert [p.session for p in curve] == [0, 1, 2]
    assert curve[2].expected == pytest.approx(4.5)
    assert curve[2].band_edge == pytest.approx(2.5)
    assert expected_curve(PHQ, 20, 1)[1].band_edge == pytest.approx(25.5)


def test_a_session_before_intake_is_refused() -> None:
    with pytest.raises(ValueError, match="intake"):
        expected_score(CSI, 5, -1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planned_sessions": 0}, "planned sessions"),
        ({"flag_from_session": 0}, "flag from session"),
        ({"tolerance": -1.0}, "tolerance"),
        ({"tolerance": float("nan")}, "tolerance"),
        ({"reliable_change": 0.0}, "reliable change"),
    ],
)
def test_unusable_parameters_are_refused_with_the_reason(
    changes: dict[str, float], message: str
) -> None:
    values: dict[str, float | bool | None] = {
        "cutoff": 13.5,
        "higher_is_better": True,
        "tolerance": 2.0,
    }
    values.update(changes)
    with pytest.raises(ValueError, match=message):
        Course(**values)  # type: ignore[arg-type]


def test_a_partner_following_the_expected_curve_is_on_track() -> None:
    track = judge_partner(CSI, on_curve(CSI, 3.5, 8, offset=-1.5))
    assert track.signal == Signal.ON_TRACK
    assert track.session == 8
    assert track.expected == pytest.approx(7.5)
    assert track.shortfall == pytest.approx(1.5)


def test_a_partner_stuck_at_their_intake_score_is_off_track_from_session_three() -> None:
    flat = [3.5] * 9
    assert judge_partner(CSI, flat[:3]).signal == Signal.TOO_EARLY
    assert judge_partner(CSI, flat[:5]).signal == Signal.ON_TRACK  # 1 point short: within
    track = judge_partner(CSI, flat)
    assert track.signal == Signal.OFF_TRACK
    assert track.shortfall == pytest.approx(4.0)
    assert "short of the expected" in track.reason


def test_the_reason_rounds_its_figures_for_people() -> None:
    # Expected at session 8 from 3.35: 3.35 + (13.5 - 3.35) * 8 / 20 = 7.41; short by 4.06.
    track = judge_partner(CSI, [3.35] * 9)
    assert track.shortfall == pytest.approx(4.06)
    assert track.reason.startswith("4.1 points short of the expected 7.4 (tolerance 2),")


def test_a_reliable_improvement_is_not_flagged_even_when_below_the_band() -> None:
    # 4 points better than intake (reliable) but 6 short of a steep expected line.
    steep = Course(
        cutoff=13.5, higher_is_better=True, tolerance=2, reliable_change=4, planned_sessions=8
    )
    assert judge_partner(steep, [0, 1, 2, 3, 4, 4, 4]).signal == Signal.ON_TRACK
    assert judge_partner(steep, [0, 1, 2, 3, 3, 3, 3]).signal == Signal.OFF_TRACK


def test_without_a_reliable_change_amount_only_the_band_decides() -> None:
    unknown = Course(cutoff=13.5, higher_is_better=True, tolerance=2)
    assert judge_partner(unknown, [3, 8, 8, 9, 9, 9]).signal == Signal.ON_TRACK
    assert judge_partner(unknown, [3, 3, 3, 3, 1, 0]).signal == Signal.OFF_TRACK


def test_reliable_deterioration_is_flagged_at_any_session_after_intake() -> None:
    track = judge_partner(CSI, [10, 5])
    assert track.signal == Signal.DETERIORATED
    assert "Reliably worse" in track.reason
    assert judge_partner(PHQ, [8, 15]).signal == Signal.DETERIORATED


def test_an_instrument_given_every_few_sessions_is_judged_at_its_own_session() -> None:
    # A flat score at session 8 is off track even though it is only the third observation.
    track = judge_partner(CSI, [4, 4, 4], sessions=[0, 4, 8])
    assert (track.signal, track.session) == (Signal.OFF_TRACK, 8)
    assert judge_partner(CSI, [4, 4, 4]).signal == Signal.TOO_EARLY
    with pytest.raises(ValueError, match="session numbers"):
        judge_partner(CSI, [4, 4], sessions=[0])


def test_no_scores_and_an_intake_score_alone_are_not_judged() -> None:
    assert judge_partner(CSI, []).signal == Signal.NO_DATA
    only = judge_partner(CSI, [4])
    assert only.signal == Signal.TOO_EARLY
    assert only.baseline == 4


def test_both_partners_on_the_curve_make_an_on_track_couple() -> None:
    a = judge_partner(CSI, on_curve(CSI, 4, 6))
    b = judge_partner(CSI, on_curve(CSI, 6, 6, offset=0.5))
    couple = judge_couple(CSI, a, b, divergence=4)
    assert couple.signal == CoupleSignal.ON_TRACK
    assert couple.reasons == ()


def test_both_partners_off_the_curve_make_a_not_on_track_couple() -> None:
    a = judge_partner(CSI, [4] * 7)
    b = judge_partner(CSI, [5] * 7)
    couple = judge_couple(CSI, a, b, divergence=4, names=("Sam", "Alex"))
    assert couple.signal == CoupleSignal.NOT_ON_TRACK
    assert [r.split(":")[0] for r in couple.reasons] == ["Sam", "Alex"]


def test_one_partner_off_track_is_enough_for_a_couple_alert() -> None:
    a = judge_partner(CSI, on_curve(CSI, 4, 7))
    b = judge_partner(CSI, [4] * 8)
    assert (a.signal, b.signal) == (Signal.ON_TRACK, Signal.OFF_TRACK)
    couple = judge_couple(CSI, a, b, divergence=10)
    assert couple.signal == CoupleSignal.NOT_ON_TRACK
    assert couple.reasons[0].startswith("Partner B:")


def test_partners_both_within_their_band_who_diverge_raise_the_dyadic_signal() -> None:
    wide = Course(cutoff=13.5, higher_is_better=True, tolerance=5, reliable_change=8)
    a = judge_partner(wide, [10, 11, 12, 13, 14])  # gained 4, beyond the cut-off
    b = judge_partner(wide, [6, 5, 4, 3, 3])  # lost 3 (not reliable), within a wide band
    assert (a.signal, b.signal) == (Signal.ON_TRACK, Signal.ON_TRACK)
    couple = judge_couple(wide, a, b, divergence=6)
    assert couple.signal == CoupleSignal.NOT_ON_TRACK
    assert couple.diverging
    assert "diverge" in couple.reasons[0]
    assert judge_couple(wide, a, b, divergence=8).signal == CoupleSignal.ON_TRACK


def test_divergence_is_not_judged_before_the_flagging_session() -> None:
    a = judge_partner(CSI, [4, 7])
    b = judge_partner(CSI, [4, 4])
    couple = judge_couple(CSI, a, b, divergence=2)
    assert not couple.diverging
    assert couple.signal == CoupleSignal.NOT_YET


def test_a_couple_with_one_partner_not_yet_judged_is_not_yet_judged() -> None:
    a = judge_partner(CSI, on_curve(CSI, 4, 5))
    couple = judge_couple(CSI, a, judge_partner(CSI, []), divergence=4)
    assert couple.signal == CoupleSignal.NOT_YET


def test_an_unusable_divergence_threshold_is_refused() -> None:
    track = judge_partner(CSI, [])
    with pytest.raises(ValueError, match="divergence"):
        judge_couple(CSI, track, track, divergence=0)


@given(
    baseline=st.floats(min_value=0, max_value=13),
    sessions=st.integers(min_value=3, max_value=30),
    offset=st.floats(min_value=-1.99, max_value=3),
)
def test_any_trajectory_within_the_band_of_the_curve_is_on_track(
    baseline: float, sessions: int, offset: float
) -> None:
    track = judge_partner(CSI, on_curve(CSI, baseline, sessions, offset))
    assert track.signal in (Signal.ON_TRACK, Signal.DETERIORATED)
    # Deterioration needs a loss of 4 points, which a trajectory at most 2 under a rising
    # line from the baseline never shows.
    assert track.signal == Signal.ON_TRACK
