"""The local-norm fit recovers a known curve from synthetic closed cases (issue 17, item 2)."""

from __future__ import annotations

import math
import random

import pytest

from psychometrics.errors import InsufficientData, ScoringError
from psychometrics.local_norms import (
    Z_FAILURE,
    LocalFit,
    Trajectory,
    below_boundary,
    boundary,
    expected,
    fit,
    path,
)

# The known curve: score = 3 + 0.7 * intake + 2.5 * ln(session), residual SD 1.5.
B0, B1, B2, SD = 3.0, 0.7, 2.5, 1.5


def synthetic(
    cases: int, *, seed: int = 17, sd: float = SD, sessions: int = 12
) -> list[Trajectory]:
    """Two partners per case, intake uniform on 4-12, a score at every session 1..sessions."""
    rng = random.Random(seed)  # noqa: S311 - synthetic scores, not security
    series = []
    for case in range(cases):
        for _ in range(2):
            intake = rng.uniform(4, 12)
            later = [
                (s, B0 + B1 * intake + B2 * math.log(s) + rng.gauss(0, sd))
                for s in range(1, rng.randint(3, sessions) + 1)
            ]
            series.append(Trajectory(case, intake, later))
    return series


def test_the_fit_recovers_the_known_curve_within_tolerance() -> None:
    model = fit(synthetic(150), min_cases=150)
    assert model.intercept == pytest.approx(B0, abs=0.35)
    assert model.intake_slope == pytest.approx(B1, abs=0.04)
    assert model.log_session_slope == pytest.approx(B2, abs=0.12)
    assert model.residual_sd == pytest.approx(SD, rel=0.05)
    assert model.n_cases == 150
    assert model.n_partners == 300
    assert model.n_observations == sum(len(t.later) for t in synthetic(150))
    assert 4 <= model.intake_range[0] < model.intake_range[1] <= 12
    assert model.max_session == 12


def test_noise_free_scores_give_the_curve_exactly_and_no_spread() -> None:
    model = fit(synthetic(5, sd=0.0))
    assert model.intercept == pytest.approx(B0)
    assert model.intake_slope == pytest.approx(B1)
    assert model.log_session_slope == pytest.approx(B2)
    assert model.residual_sd == pytest.approx(0, abs=1e-9)


def test_series_with_fewer_than_three_scores_are_left_out() -> None:
    short = Trajectory("short", 5.0, [(1, 100.0)])  # an outlier that would move the fit
    model = fit([*synthetic(5, sd=0.0), short])
    assert model.n_cases == 5
    assert model.intercept == pytest.approx(B0)
    assert not short.is_usable


MODEL = LocalFit(
    intercept=3.0,
    intake_slope=0.7,
    log_session_slope=2.5,
    residual_sd=2.0,
    n_cases=150,
    n_partners=290,
    n_observations=2000,
    intake_range=(2.0, 14.0),
    max_session=10,
)


def test_the_expected_path_and_the_ten_percent_boundary() -> None:
    assert expected(MODEL, 10, 1) == pytest.approx(10.0)  # ln 1 = 0
    assert expected(MODEL, 10, 4) == pytest.approx(10 + 2.5 * math.log(4))
    assert pytest.approx(1.2816, abs=1e-4) == Z_FAILURE
    assert boundary(MODEL, 10, 1, higher_is_better=True) == pytest.approx(10 - 2 * 1.28155, 1e-4)
    # A symptom scale (lower is better): the boundary lies above the expected path.
    assert boundary(MODEL, 10, 1, higher_is_better=False) == pytest.approx(12.5631, 1e-4)
    assert below_boundary(MODEL, 10, 1, 7.0, higher_is_better=True)
    assert not below_boundary(MODEL, 10, 1, 8.0, higher_is_better=True)
    assert below_boundary(MODEL, 10, 1, 13.0, higher_is_better=False)
    assert not below_boundary(MODEL, 10, 1, 12.0, higher_is_better=False)


def test_the_path_stops_where_the_clinics_data_stopped_and_stays_on_the_scale() -> None:
    points = path(MODEL, 10, 30, higher_is_better=True)
    assert [p.session for p in points] == list(range(1, 11))
    assert points[3].expected == pytest.approx(expected(MODEL, 10, 4))
    assert points[3].boundary == pytest.approx(boundary(MODEL, 10, 4, higher_is_better=True))
    short = path(MODEL, 10, 3, higher_is_better=True)
    assert len(short) == 3
    held = path(MODEL, 20, 10, higher_is_better=True, score_range=(0, 21))
    assert max(p.expected for p in held) == 21  # 3 + 14 + 2.5 ln 10 = 22.8, held at the top
    assert held[0].expected == pytest.approx(17.0)
    low = path(MODEL, -10, 2, higher_is_better=True, score_range=(0, 21))
    assert low[0].expected == 0
    assert low[0].boundary == 0


def test_the_curve_has_no_session_zero() -> None:
    with pytest.raises(ValueError, match="session 0 is the intake"):
        expected(MODEL, 10, 0)


def test_too_few_cases_is_a_clear_error() -> None:
    with pytest.raises(InsufficientData, match="12 closed cases with at least 3 scores; the fit"):
        fit(synthetic(12), min_cases=150)
    with pytest.raises(InsufficientData, match="1 closed case with"):
        fit(synthetic(1), min_cases=2)
    with pytest.raises(ValueError, match="at least 1"):
        fit(synthetic(1), min_cases=0)


def test_too_few_scores_is_a_clear_error() -> None:
    two = [Trajectory("a", 5.0, [(1, 6.0), (2, 7.0)])]
    with pytest.raises(InsufficientData, match="2 scores after intake; at least 4"):
        fit(two)


def test_a_singular_design_is_a_clear_error() -> None:
    same_intake = [Trajectory(n, 5.0, [(1, 6.0 + n), (2, 7.0)]) for n in range(3)]
    with pytest.raises(InsufficientData, match="same intake score"):
        fit(same_intake)
    same_session = [Trajectory(n, float(n), [(2, 6.0), (2, 7.0)]) for n in range(3)]
    with pytest.raises(InsufficientData, match="same session"):
        fit(same_session)
    # Each partner's intake equals ln(session) of their scores: the two columns are one.
    together = [
        Trajectory(n, math.log(s), [(s, 1.0 + n), (s, 2.0)]) for n, s in enumerate((1, 2, 3))
    ]
    with pytest.raises(InsufficientData, match="move together"):
        fit(together)


def test_impossible_series_are_refused() -> None:
    with pytest.raises(InsufficientData, match="count from 1"):
        Trajectory("a", 5.0, [(0, 6.0)])
    with pytest.raises(InsufficientData, match="intake must be a finite"):
        Trajectory("a", math.nan, [])
    with pytest.raises(InsufficientData, match="score must be finite"):
        Trajectory("a", 5.0, [(1, math.inf)])
    assert issubclass(InsufficientData, ScoringError)
