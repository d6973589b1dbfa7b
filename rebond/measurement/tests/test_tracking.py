"""A couple's not-on-track signal, kept up to date by each submission, and its alert."""

from __future__ import annotations

import pytest

from rebond.accounts.models import User
from rebond.alerts import actions as alert_actions
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.tests.helpers import clinic_of, csi4_answers, submit, submit_csi4_series
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

# CSI-4 from 5 towards the 13.5 cut-off over 20 sessions: about 0.43 points a session.
ON_CURVE = [5, 5, 6, 6, 7, 7, 8]
FLAT = [5, 5, 5, 5, 5, 5, 5]


def test_a_couple_following_the_expected_curve_is_on_track_and_raises_nothing(
    alice: User,
) -> None:
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, ON_CURVE, ON_CURVE)
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.a_signal, track.b_signal) == ("on_track", "on_track", "on_track")
    assert (track.a_score, track.b_score, track.sessions) == (8, 8, 7)
    assert not Alert.objects.filter(couple=couple).exists()


def test_one_partner_off_track_raises_one_clinician_only_alert(alice: User, bob: User) -> None:
    couple = make_couple(alice, partners=("Sam", "Alex"))
    couple.co_clinicians.add(bob)
    submit_csi4_series(alice, couple, ON_CURVE, FLAT)
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.a_signal, track.b_signal) == (
        "not_on_track",
        "on_track",
        "off_track",
    )
    assert any(reason.startswith("Alex:") for reason in track.reasons)
    alert = Alert.objects.get(couple=couple)
    assert (alert.type, alert.severity, alert.rule) == ("not_on_track", 1, "not_on_track")
    assert alert.subject_partner.display_name == "Alex"
    assert set(alert.recipients.all()) == {alice, bob}
    assert AlertNotification.objects.filter(alert=alert).count() == 2


def test_the_alert_is_not_raised_again_while_it_is_open(alice: User) -> None:
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, ON_CURVE, FLAT)
    submit_csi4_series(alice, couple, [8, 9], [5, 5])
    assert Alert.objects.filter(couple=couple).count() == 1
    alert = Alert.objects.get(couple=couple)
    alert_actions.close_alert(
        alice, alert.id, disposition=Alert.Disposition.CONTINUE_CONJOINT, reason="Discussed."
    )
    submit_csi4_series(alice, couple, [9], [5])
    assert Alert.objects.filter(couple=couple).count() == 2


def test_partners_drifting_apart_raise_the_dyadic_alert(alice: User) -> None:
    couple = make_couple(alice)
    settings = MeasurementSettings.objects.create(clinic=clinic_of(alice), tolerance=4)
    assert settings.divergence is None  # sqrt(2) x the tolerance basis: 2.97 for the CSI-4
    submit_csi4_series(alice, couple, [5, 6, 7, 8], [5, 5, 5, 4])
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.a_signal, track.b_signal) == ("on_track", "on_track")
    assert track.diverging
    assert track.signal == "not_on_track"
    assert Alert.objects.get(couple=couple).type == Alert.Type.NOT_ON_TRACK


def test_reliable_deterioration_raises_a_priority_alert_with_local_norms(alice: User) -> None:
    # Local norms: SD 4, reliability .80 -> reliable change 1.96 x 2.53 = 4.96 points.
    MeasurementSettings.objects.create(
        clinic=clinic_of(alice),
        local_sd=4,
        local_reliability=0.8,
        local_norms_source="Our intakes",
    )
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, [10, 11], [10, 4])
    track = CoupleTrack.objects.get(couple=couple)
    assert track.b_signal == "deteriorated"
    assert track.b_category == "deteriorated"
    assert track.a_category == "unchanged"
    alert = Alert.objects.get(couple=couple)
    assert (alert.type, alert.severity) == (Alert.Type.RELIABLE_DETERIORATION, 2)


def test_a_clinic_that_turned_the_rule_off_gets_no_alert(alice: User) -> None:
    AlertRuleSetting.objects.create(clinic=clinic_of(alice), rule="not_on_track", enabled=False)
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, ON_CURVE, FLAT)
    assert CoupleTrack.objects.get(couple=couple).signal == "not_on_track"
    assert not Alert.objects.filter(couple=couple).exists()


def test_other_instruments_leave_the_track_alone(alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    submit(alice, couple, partner, "GAD-7", dict.fromkeys(range(1, 8), 3))
    assert not CoupleTrack.objects.filter(couple=couple).exists()
    submit(alice, couple, partner, "CSI-4", csi4_answers(5))
    assert CoupleTrack.objects.get(couple=couple).a_signal == "too_early"


def test_a_clinic_may_choose_another_outcome_instrument(alice: User) -> None:
    MeasurementSettings.objects.create(clinic=clinic_of(alice), outcome_instrument="GAD-7")
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    submit(alice, couple, partner, "CSI-4", csi4_answers(5))
    assert not CoupleTrack.objects.filter(couple=couple).exists()
    submit(alice, couple, partner, "GAD-7", dict.fromkeys(range(1, 8), 3))
    assert CoupleTrack.objects.get(couple=couple).instrument_code == "GAD-7"
