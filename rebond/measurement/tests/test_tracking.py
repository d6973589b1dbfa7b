"""A couple's progress signal, kept up to date by each submission, and its alert."""

from __future__ import annotations

import pytest

from rebond.accounts.models import User
from rebond.alerts import actions as alert_actions
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.tests.helpers import (
    clinic_of,
    csi4_answers,
    gad7_answers,
    submit,
    submit_csi4_series,
    submit_series,
    use_outcome,
)
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

# GAD-7: reliable change 4 points, caseness 8 (NHS Talking Therapies; gad7.py). Lower is better.
# Kept below 15, the "severe" band, which raises an alert of its own (alerts/rules.py).
IMPROVING = [14, 13, 12, 11, 10, 9, 8]  # 6 points better by session 6: reliable
# Partners answer one after the other, so a gap is briefly measured between A's session k and
# B's k - 1: kept below sqrt(2) x 4 = 5.66 throughout, so only the amber rule can fire.
FLAT = [14, 14, 13, 13, 13, 13, 13]  # 1 point better by session 6, still 8 or more


def test_the_csi4_has_no_published_figure_so_nothing_is_judged_or_raised(alice: User) -> None:
    # The withdrawn straight line flagged a partner who gained 5 points as off track.
    couple = make_couple(alice)
    submit_csi4_series(alice, couple, [5, 6, 7, 8, 9, 10, 10], [5] * 7)
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.a_signal, track.b_signal) == (
        "not_judged",
        "not_judged",
        "not_judged",
    )
    assert (track.a_score, track.b_score, track.sessions) == (10, 5, 7)
    assert (track.a_category, track.b_category, track.reasons) == ("", "", [])
    assert not Alert.objects.filter(couple=couple, rule="not_on_track").exists()


def test_no_reliable_improvement_by_the_review_session_raises_one_clinician_only_alert(
    alice: User, bob: User
) -> None:
    use_outcome(alice, "GAD-7")
    couple = make_couple(alice, partners=("Sam", "Alex"))
    couple.co_clinicians.add(bob)
    submit_series(alice, couple, "GAD-7", gad7_answers, IMPROVING[:6], FLAT[:6])
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.a_signal, track.b_signal) == ("improved", "no_reliable_change")  # session 5
    assert not Alert.objects.filter(couple=couple, rule="not_on_track").exists()
    submit_series(alice, couple, "GAD-7", gad7_answers, IMPROVING[6:], FLAT[6:])
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.a_signal, track.b_signal) == ("review", "improved", "not_improved")
    assert (track.a_category, track.b_category) == ("improved", "unchanged")  # 8: still caseness
    assert any(r.startswith("Alex: No reliable improvement by session 6") for r in track.reasons)
    alert = Alert.objects.get(couple=couple, rule="not_on_track")
    assert (alert.type, alert.severity, alert.rule) == ("not_on_track", 1, "not_on_track")
    assert alert.subject_partner.display_name == "Alex"
    assert set(alert.recipients.all()) == {alice, bob}
    assert AlertNotification.objects.filter(alert=alert).count() == 2


def test_the_review_session_is_the_clinics_choice(alice: User) -> None:
    use_outcome(alice, "GAD-7", review_session=8)
    couple = make_couple(alice)
    submit_series(alice, couple, "GAD-7", gad7_answers, IMPROVING, FLAT)
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.a_signal, track.b_signal) == ("improved", "no_reliable_change")
    assert (track.signal, track.diverging) == ("not_yet", False)  # gains 6 and 1: 5 < 5.66
    assert not Alert.objects.filter(couple=couple, rule="not_on_track").exists()


def test_the_alert_is_not_raised_again_while_it_is_open(alice: User) -> None:
    use_outcome(alice, "GAD-7")
    couple = make_couple(alice)
    submit_series(alice, couple, "GAD-7", gad7_answers, IMPROVING, FLAT)
    submit_series(alice, couple, "GAD-7", gad7_answers, [7, 7], [14, 14])
    assert Alert.objects.filter(couple=couple, rule="not_on_track").count() == 1
    alert = Alert.objects.get(couple=couple, rule="not_on_track")
    alert_actions.close_alert(
        alice, alert.id, disposition=Alert.Disposition.CONTINUE_CONJOINT, reason="Discussed."
    )
    submit_series(alice, couple, "GAD-7", gad7_answers, [7], [14])
    assert Alert.objects.filter(couple=couple, rule="not_on_track").count() == 2


def test_partners_drifting_apart_inside_their_bands_raise_the_dyadic_alert(alice: User) -> None:
    use_outcome(alice, "GAD-7")
    couple = make_couple(alice)
    # Gains +3 and -3: neither reliable (4), but 6 apart, beyond sqrt(2) x 4 = 5.66.
    submit_series(alice, couple, "GAD-7", gad7_answers, [11, 9, 8], [11, 13, 14])
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.a_signal, track.b_signal) == ("no_reliable_change", "no_reliable_change")
    assert track.diverging
    assert track.signal == "review"
    assert track.reasons == [
        "The partners diverge: their gains since intake differ by 6 points (threshold 5.7)."
    ]
    alert = Alert.objects.get(couple=couple, rule="not_on_track")
    assert alert.type == Alert.Type.NOT_ON_TRACK
    assert alert.subject_partner.role == "B"  # the worse off: 14 on a lower-is-better scale


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
    assert (track.signal, track.b_signal) == ("worse", "deteriorated")
    assert track.b_category == "deteriorated"
    assert track.a_category == "unchanged"
    alert = Alert.objects.get(couple=couple, rule="not_on_track")
    assert (alert.type, alert.severity) == (Alert.Type.RELIABLE_DETERIORATION, 2)


def test_a_clinic_that_turned_the_rule_off_gets_no_alert(alice: User) -> None:
    AlertRuleSetting.objects.create(clinic=clinic_of(alice), rule="not_on_track", enabled=False)
    use_outcome(alice, "GAD-7")
    couple = make_couple(alice)
    submit_series(alice, couple, "GAD-7", gad7_answers, IMPROVING, FLAT)
    assert CoupleTrack.objects.get(couple=couple).signal == "review"
    assert not Alert.objects.filter(couple=couple, rule="not_on_track").exists()


def test_other_instruments_leave_the_track_alone(alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    submit(alice, couple, partner, "GAD-7", dict.fromkeys(range(1, 8), 3))
    assert not CoupleTrack.objects.filter(couple=couple).exists()
    submit(alice, couple, partner, "CSI-4", csi4_answers(5))
    assert CoupleTrack.objects.get(couple=couple).a_signal == "baseline"


def test_a_clinic_may_choose_another_outcome_instrument(alice: User) -> None:
    MeasurementSettings.objects.create(clinic=clinic_of(alice), outcome_instrument="GAD-7")
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    submit(alice, couple, partner, "CSI-4", csi4_answers(5))
    assert not CoupleTrack.objects.filter(couple=couple).exists()
    submit(alice, couple, partner, "GAD-7", dict.fromkeys(range(1, 8), 3))
    assert CoupleTrack.objects.get(couple=couple).instrument_code == "GAD-7"
