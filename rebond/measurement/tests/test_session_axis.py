"""Charts, tables and signals count therapy sessions as the case timeline does.

Scores carry the number of the held conjoint session they followed (rebond/measurement/
sessions.py); a couple with no session recorded counts check-ins, and the axis says so.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.assessments.models import Submission
from rebond.couples.models import Couple
from rebond.measurement import progress
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.sessions import CHECKIN_AXIS, THERAPY_AXIS
from rebond.measurement.tests.helpers import clinic_of, submit_csi4_series
from rebond.measurement.tracking import refresh_tracks
from rebond.test import make_couple
from rebond.therapy import actions as therapy
from rebond.therapy.models import Session

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def record(alice: User, couple: Couple, at_day: int, attendance: str = "held") -> Session:
    both = [p.id for p in couple.partners.all()] if attendance == "held" else []
    draft = therapy.SessionDraft(
        occurred_at=START + at_day * DAY, attendance=attendance, attendee_ids=both
    )
    return therapy.record_session(alice, couple.id, draft, at=START + at_day * DAY)


START = now() - 40 * DAY


@pytest.fixture
def couple(alice: User) -> Couple:
    # Local norms give the CSI-4 a reliable-change figure (SD 4, r .80: 4.96 points), and a
    # review at session 4, so the session a score counts as decides the signal.
    MeasurementSettings.objects.create(
        clinic=clinic_of(alice),
        review_session=4,
        local_sd=4,
        local_reliability=0.8,
        local_norms_source="Our intakes",
    )
    couple = make_couple(alice, "Axis couple", partners=("Sam", "Alex"))
    # Intake, then two check-ins: the day after session 2 and an hour after session 4.
    submit_csi4_series(alice, couple, [5, 6, 7], [5, 5, 5])
    days = [0, 9, 22 + 1 / 24]
    rows = list(Submission.objects.order_by("submitted_at", "id"))
    for index, row in enumerate(rows):
        Submission.objects.filter(pk=row.pk).update(submitted_at=START + days[index // 2] * DAY)
    return couple


def test_scores_sit_at_the_therapy_session_they_followed(alice: User, couple: Couple) -> None:
    for at_day in (1, 8):
        record(alice, couple, at_day)  # sessions 1 and 2
    record(alice, couple, 15, attendance="cancelled")  # session 3, not held
    record(alice, couple, 22)  # session 4
    numbers = list(Session.objects.order_by("occurred_at").values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]

    outcome = progress.load(couple).outcome
    assert outcome is not None
    assert outcome.chart.x_label == THERAPY_AXIS
    assert [row.session for row in outcome.table] == [0, 2, 4]
    assert [point[0] for point in outcome.chart.partners[0].points] == [0, 2, 4]
    assert "at therapy session 4" in outcome.alt
    # Judged at session 4 (the review session), not at check-in 2 (before it).
    assert outcome.tracks is not None
    assert [track.signal for track in outcome.tracks] == ["not_improved", "not_improved"]
    [stored] = refresh_tracks([couple.id])
    assert (stored.a_signal, stored.b_signal) == ("not_improved", "not_improved")
    assert CoupleTrack.objects.get(couple=couple).b_signal == "not_improved"


def test_without_sessions_the_axis_counts_check_ins_and_says_so(couple: Couple) -> None:
    outcome = progress.load(couple).outcome
    assert outcome is not None
    assert outcome.chart.x_label == CHECKIN_AXIS
    assert [row.session for row in outcome.table] == [0, 1, 2]
    assert outcome.tracks is not None
    assert [track.signal for track in outcome.tracks] == [
        "no_reliable_change",
        "no_reliable_change",
    ]
