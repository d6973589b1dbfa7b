"""Expected recovery from the clinic's own closed cases (issue 17, item 2): which cases count,
the refit on demand and nightly, the page, and the curve on the progress chart and report.

Kept small: a threshold lowered on the clinic's row (the form allows 30 at least) and a few
synthetic closed cases; psychometrics/tests/test_local_norms.py proves the fit on 150 cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from psychometrics.local_norms import Trajectory
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import CaseTransition, Couple
from rebond.measurement import charts, local_norms, progress
from rebond.measurement.models import ExpectedRecoveryFit, ExpectedRecoveryState
from rebond.measurement.sessions import SessionClock
from rebond.measurement.tests.helpers import clinic_of, submit_csi4_series
from rebond.measurement.tests.norms_seed import Curve, seed_closed_cases
from rebond.test import make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

CURVE = Curve(b0=3.0, b1=0.7, b2=2.5, sd=1.2)
Capture = Callable[..., Any]


@pytest.fixture
def admin(alice: User) -> User:
    alice.is_clinic_admin = True
    alice.save(update_fields=["is_clinic_admin"])
    return alice


def lower_threshold(clinic: Clinic, n: int) -> None:
    """Set the clinic's threshold below the form's least (30): a test-sized clinic."""
    ExpectedRecoveryState.objects.update_or_create(clinic=clinic, defaults={"min_closed_cases": n})


def fitted(clinic: Clinic) -> ExpectedRecoveryFit:
    return ExpectedRecoveryFit.objects.get(clinic=clinic, instrument_code="CSI-4")


def outcome_of(couple: Couple) -> progress.InstrumentProgress:
    item = progress.load(couple).outcome
    assert item is not None
    return item


def test_the_refit_recovers_the_known_curve_from_synthetic_closed_cases(alice: User) -> None:
    clinic = clinic_of(alice)
    seed_closed_cases(alice, 16, curve=CURVE)
    lower_threshold(clinic, 16)
    counts = local_norms.refit(clinic.id)
    assert counts == {"CSI-4": 16}
    row = fitted(clinic)
    # Whole-number scores (rounded) from 32 partners: looser than the 150-case proof.
    assert row.intake_slope == pytest.approx(CURVE.b1, abs=0.15)
    assert row.log_session_slope == pytest.approx(CURVE.b2, abs=0.5)
    assert row.intercept == pytest.approx(CURVE.b0, abs=1.5)
    assert row.residual_sd == pytest.approx(CURVE.sd, abs=0.3)
    assert (row.n_cases, row.n_partners, row.eligible_cases) == (16, 32, 16)
    assert row.fitted_at is not None
    state = ExpectedRecoveryState.objects.get(clinic=clinic)
    assert (state.status, state.done, state.total) == ("done", 1, 1)


def test_only_ended_treatment_and_three_scores_count(alice: User, bob: User) -> None:
    clinic = clinic_of(alice)
    seed_closed_cases(alice, 3, seed=1)
    seed_closed_cases(alice, 2, seed=2, status=Couple.Status.CONJOINT_ACTIVE)  # still in therapy
    seed_closed_cases(alice, 2, seed=3, status=Couple.Status.FOLLOW_UP)  # ended, followed up
    seed_closed_cases(alice, 2, seed=4, checkins=(2, 2))  # intake and one later score only
    # A case that ended before its scores: what came after the end is follow-up, left out.
    ended_early = seed_closed_cases(alice, 1, seed=6)[0]
    CaseTransition.objects.create(
        couple=ended_early,
        from_status=Couple.Status.CONJOINT_ACTIVE,
        to_status=Couple.Status.CLOSED,
        at=now() - timedelta(weeks=30),
    )
    seed_closed_cases(make_clinician(clinic_of(bob), "Other"), 1, seed=7)  # bob's: same clinic
    gathered = local_norms.gather(clinic.id)
    assert gathered.eligible_cases("CSI-4") == 3 + 2 + 1
    assert gathered.eligible_cases("PHQ-9") == 0


def test_below_the_threshold_the_page_says_how_many_of_how_many(
    client: Client, admin: User
) -> None:
    clinic = clinic_of(admin)
    seed_closed_cases(admin, 3)
    local_norms.refit(clinic.id)
    assert fitted(clinic).fitted_at is None
    sign_in(client, admin)
    body = client.get(reverse("expected_recovery")).content.decode()
    assert "Not enough closed cases yet (3 of 150)" in body
    assert "Finch, Lambert &amp; Schaalje (2001)" in body
    assert 'name="min_closed_cases"' in body


def test_a_clinic_admin_refits_on_demand_and_the_fit_is_written(
    client: Client, admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    clinic = clinic_of(admin)
    seed_closed_cases(admin, 6)
    lower_threshold(clinic, 6)
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (immediate backend)
        response = client.post(reverse("expected_recovery_refit"))
    assert response.status_code == 302
    assert fitted(clinic).n_cases == 6
    assert AuditEntry.objects.filter(action="measurement.expected_recovery.refit").count() == 1
    body = client.get(reverse("expected_recovery")).content.decode()
    assert "Fitted on" in body
    assert "from 6 closed cases" in body
    assert "hx-trigger" not in body  # nothing running: the status stops polling


def test_a_supervisor_refits_too_but_a_refit_under_way_is_not_queued_twice(
    client: Client, alice: User
) -> None:
    supervisor = make_clinician(clinic_of(alice), "Sue", is_supervisor=True)
    sign_in(client, supervisor)
    assert client.post(reverse("expected_recovery_refit")).status_code == 302
    state = ExpectedRecoveryState.objects.get(clinic=clinic_of(alice))
    assert state.status == "queued"  # the task waits for commit: this test never commits
    assert local_norms.request_refit(supervisor) is False
    page = client.get(reverse("expected_recovery")).content.decode()
    assert 'hx-get="{}"'.format(reverse("expected_recovery_status")) in page
    assert "Refit waiting for the background worker" in page
    assert 'name="min_closed_cases"' not in page  # the threshold is the clinic admins'
    # A refit whose worker died long ago no longer blocks a new one.
    state.requested_at = now() - timedelta(hours=3)
    state.save()
    assert "did not finish" in client.get(reverse("expected_recovery_status")).content.decode()
    assert local_norms.request_refit(supervisor) is True


def test_a_running_refit_shows_its_progress(client: Client, admin: User) -> None:
    clinic = clinic_of(admin)
    ExpectedRecoveryState.objects.create(
        clinic=clinic, status="running", started_at=now(), step="Fitting", done=1, total=3
    )
    sign_in(client, admin)
    body = client.get(reverse("expected_recovery_status")).content.decode()
    assert "Refit running: Fitting (1 of 3)" in body
    assert '<progress value="1" max="3">' in body


def test_the_nightly_sweep_queues_each_clinics_refit_once_a_day(alice: User) -> None:
    clinic = clinic_of(alice)
    seed_closed_cases(alice, 5)
    lower_threshold(clinic, 5)
    call_command("expected_recovery_sweep")  # the immediate backend runs the task at once
    assert fitted(clinic).n_cases == 5
    assert local_norms.sweep() == 0  # not due again until tomorrow
    ExpectedRecoveryState.objects.filter(clinic=clinic).update(
        started_at=now() - timedelta(hours=24)
    )
    assert local_norms.sweep() == 1


def test_a_failed_refit_says_so_and_a_singular_design_is_explained(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = clinic_of(alice)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(local_norms, "gather", broken)
    with pytest.raises(RuntimeError):
        local_norms.refit(clinic.id)
    state = ExpectedRecoveryState.objects.get(clinic=clinic)
    assert state.status == "failed"
    assert "worker's log" in state.error
    monkeypatch.undo()
    seed_closed_cases(alice, 4, curve=Curve(b0=5, b1=0, b2=0, sd=0), checkins=(3, 4))
    # Every later score sits at check-in 1 or 2, all partners alike; force one intake for all.
    gathered = local_norms.gather(clinic.id)
    same = [Trajectory(t.case, 5.0, t.later) for t in gathered.trajectories["CSI-4"]]
    monkeypatch.setattr(
        local_norms, "gather", lambda *a, **k: local_norms.Gathered({"CSI-4": same}, "CSI-4")
    )
    lower_threshold(clinic, 4)
    local_norms.refit(clinic.id)
    row = fitted(clinic)
    assert row.fitted_at is None
    assert "same intake score" in row.error


def test_the_threshold_is_checked_saved_audited_and_refits(
    client: Client, admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    sign_in(client, admin)
    response = client.post(reverse("expected_recovery_threshold"), {"min_closed_cases": "10"})
    assert response.status_code == 422
    assert "Use a whole number of closed cases from 30 to 5000." in response.content.decode()
    response = client.post(reverse("expected_recovery_threshold"), {"min_closed_cases": "x"})
    assert "Enter a whole number of closed cases." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expected_recovery_threshold"), {"min_closed_cases": "40"})
    assert response.status_code == 302
    state = ExpectedRecoveryState.objects.get(clinic=clinic_of(admin))
    assert (state.min_closed_cases, state.status) == (40, "done")
    entry = AuditEntry.objects.get(action="measurement.expected_recovery.threshold")
    assert entry.fields == ["min_closed_cases"]


def test_the_progress_page_draws_the_clinics_curve_with_its_label_n_and_date(
    client: Client, alice: User
) -> None:
    clinic = clinic_of(alice)
    seed_closed_cases(alice, 8, curve=CURVE)
    lower_threshold(clinic, 8)
    local_norms.refit(clinic.id)
    row = fitted(clinic)
    day = f"{row.fitted_at:%-d %b %Y}"  # the clinic is on UTC
    label = f"Expected at this clinic, from 8 closed cases, fitted on {day}"
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam", "Alex"))
    submit_csi4_series(alice, couple, [5, 7, 8], [9, 9, 10])
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    body = response.content.decode()
    assert label in body
    assert "Sam&#x27;s 10% failure boundary" in body
    item = response.context["progress"].outcome
    sam = item.chart.partners[0]
    assert sam.local_path[0].session == 1
    assert len(sam.local_path) == min(row.max_session, 8)  # 2 + 4 ahead, at least 8
    assert row.intercept is not None
    assert row.intake_slope is not None
    assert sam.local_path[0].expected == pytest.approx(row.intercept + row.intake_slope * 5)
    assert sam.local_path[0].boundary < sam.local_path[0].expected  # higher is better
    assert label in item.alt
    svg = client.get(reverse("progress_chart", args=[couple.id, "CSI-4"])).content.decode()
    assert label in svg
    assert "Sam: 10% failure boundary" in svg
    assert label in charts.alt_text(item.chart)  # the PDF report's alternative text


def test_no_curve_is_drawn_without_a_fit_or_once_the_threshold_is_raised(alice: User) -> None:
    clinic = clinic_of(alice)
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, [5, 7, 8], [9, 9, 10])
    assert not outcome_of(couple).chart.partners[0].local_path
    seed_closed_cases(alice, 6)
    lower_threshold(clinic, 6)
    local_norms.refit(clinic.id)
    expectation = local_norms.clinic_expectation(clinic, "CSI-4")
    assert expectation is not None
    assert not local_norms.partner_path(expectation, [], higher_is_better=True, score_range=(0, 21))
    assert local_norms.clinic_expectation(clinic, "CSI-16~other") is None
    lower_threshold(clinic, 7)  # raised: the stored fit no longer carries it
    assert local_norms.clinic_expectation(clinic, "CSI-4") is None
    assert "Expected at this clinic" not in outcome_of(couple).alt


def test_an_intake_outside_the_fitted_range_is_called_extrapolated(alice: User) -> None:
    clinic = clinic_of(alice)
    seed_closed_cases(alice, 6)  # intakes 3-12
    lower_threshold(clinic, 6)
    local_norms.refit(clinic.id)
    couple = make_couple(alice, partners=("Sam", "Alex"))
    submit_csi4_series(alice, couple, [20, 20, 21], [9, 9, 10])
    item = outcome_of(couple)
    assert "Sam: intake outside the intakes of those cases" in item.alt
    assert "extrapolated" in charts.line_key(item.chart)


def test_another_clinician_is_told_who_can_refit(client: Client, alice: User, bob: User) -> None:
    make_clinician(clinic_of(alice), "Sue", is_supervisor=True)
    sign_in(client, bob)
    response = client.get(reverse("expected_recovery"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only clinic admins and supervisors can change these settings" in body
    assert "Sue" in body


def test_sessions_are_numbered_as_on_the_progress_page() -> None:
    day = now()
    rows: list[local_norms.Row] = [
        (day + timedelta(weeks=k), code, {}) for k, code in enumerate(["CSI-4"] * 3)
    ]
    outcome_days = [at for at, _, _ in rows]
    assert local_norms._session_numbers(rows, "CSI-4", outcome_days, None) == [0, 1, 2]
    # Another instrument's score counts as the outcome check-in on or before its day.
    other: list[local_norms.Row] = [
        (day + timedelta(weeks=1, hours=2), "WHO-5", {}),
        (day + timedelta(days=20), "WHO-5", {}),
    ]
    assert local_norms._session_numbers(other, "CSI-4", outcome_days, None) == [1, 2]
    # Held therapy sessions, where the case has any, number every score.
    clock = SessionClock((day + timedelta(days=1), day + timedelta(days=8)), (1, 2))
    assert local_norms._session_numbers(rows, "CSI-4", outcome_days, clock) == [0, 1, 2]
    assert local_norms._primary("NOT-AN-INSTRUMENT") is None


def test_a_series_keeps_the_last_score_of_each_session_after_intake() -> None:
    series = local_norms.series_of(uuid.uuid4(), [(2, 5.0), (2, 6.0), (3, 7.0), (3, 8.0), (5, 9.0)])
    assert (series.intake, list(series.later)) == (5.0, [(1, 8.0), (3, 9.0)])
