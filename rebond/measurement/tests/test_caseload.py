"""The caseload: signals, scores, alerts and overdue check-ins, sorted, filtered and paged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.alerts.models import Alert
from rebond.assessments import actions as assessments
from rebond.couples.models import Couple
from rebond.measurement import caseload
from rebond.measurement.synthetic import Scenario, build_couples
from rebond.measurement.tests.helpers import (
    clinic_of,
    gad7_answers,
    submit_csi4_series,
    submit_series,
    use_outcome,
)
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def rows_of(client: Client, **params: str) -> list[str]:
    """Return the couple labels of the caseload's rows, in order."""
    response = client.get(reverse("caseload"), params)
    assert response.status_code == 200
    return [row.couple.label for row in response.context["rows"]]


@pytest.mark.parametrize("size", [3, 30])
def test_the_caseload_costs_the_same_queries_at_any_size(
    client: Client, alice: User, size: int, django_assert_num_queries: object
) -> None:
    build_couples(alice, size, sessions=4, instruments=("CSI-4", "GAD-7"))
    sign_in(client, alice)
    client.get(reverse("caseload"))  # warm the session and the settings caches
    # session, user, check-in settings, page count, the page's ids, those couples with their
    # tracks and counts, partners, co-clinician rows; the header's new-request and
    # priority-alert counts and the clinic's name; the EFT stages (rebond/therapy); + 5 for
    # the audit entry of the read (SECURITY.md LG-01: savepoint, chain head lock, insert,
    # head update, release).
    with django_assert_num_queries(17):  # type: ignore[operator]
        response = client.get(reverse("caseload"))
    assert len(response.context["rows"]) == size


def test_each_row_shows_both_partners_latest_outcome_and_the_signal(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam", "Alex"))
    submit_csi4_series(alice, couple, [5, 5, 6, 6, 7, 7, 8], [5] * 7)
    sign_in(client, alice)
    response = client.get(reverse("caseload"))
    row = response.context["rows"][0]
    # The CSI-4 has no published reliable-change figure: shown, never flagged.
    assert [(c.name, c.score, c.signal) for c in row.partners] == [
        ("Sam", 8, "not_judged"),
        ("Alex", 5, "not_judged"),
    ]
    assert row.signal == "not_judged"
    assert row.open_alerts == 0
    body = response.content.decode()
    assert "Not judged" in body
    assert "No expected-recovery line is used." in body
    assert reverse("couple_progress", args=[couple.id]) in body


def test_a_partner_without_reliable_improvement_is_flagged_amber_on_their_row(
    client: Client, alice: User
) -> None:
    use_outcome(alice, "GAD-7")
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam", "Alex"))
    submit_series(
        alice,
        couple,
        "GAD-7",
        gad7_answers,
        [14, 13, 12, 11, 10, 9, 8],
        [14, 14, 13, 13, 13, 13, 13],
    )
    sign_in(client, alice)
    response = client.get(reverse("caseload"))
    row = response.context["rows"][0]
    assert [(c.name, c.score, c.signal) for c in row.partners] == [
        ("Sam", 8, "improved"),
        ("Alex", 13, "not_improved"),
    ]
    assert row.signal == "review"
    assert row.open_alerts == 1  # the progress alert, addressed to alice
    body = response.content.decode()
    assert (
        '<span class="badge badge--amber">No reliable improvement by the review session</span>'
        in body
    )
    assert 'class="signal signal--review"' in body


def test_flagged_couples_come_first_by_default(client: Client, alice: User) -> None:
    use_outcome(alice, "GAD-7")
    build_couples(
        alice,
        4,
        sessions=10,
        instruments=("GAD-7",),
        scenarios=(Scenario.IMPROVING, Scenario.ONE_FLAT),
    )
    make_couple(alice, "A new couple")
    sign_in(client, alice)
    labels = rows_of(client)
    assert labels == [
        "Synthetic couple 0002",
        "Synthetic couple 0004",
        "A new couple",
        "Synthetic couple 0001",
        "Synthetic couple 0003",
    ]
    assert rows_of(client, signal="improving") == [
        "Synthetic couple 0001",
        "Synthetic couple 0003",
    ]
    assert rows_of(client, signal="review") == ["Synthetic couple 0002", "Synthetic couple 0004"]
    assert rows_of(client, signal="none") == ["A new couple"]
    assert rows_of(client, sort="label", dir="desc")[0] == "Synthetic couple 0004"
    assert rows_of(client, q="0003") == ["Synthetic couple 0003"]


def test_open_alerts_and_overdue_check_ins_are_counted_and_filterable(
    client: Client, alice: User
) -> None:
    quiet = make_couple(alice, "Quiet")
    busy = make_couple(alice, "Busy")
    late = now() - timedelta(days=10)
    assessments.schedule_instrument(alice, busy.id, "GAD-7", due_at=late)
    assessments.schedule_instrument(alice, quiet.id, "GAD-7")  # due now: not overdue yet
    alert = Alert.objects.create(
        clinic=clinic_of(alice),
        couple=busy,
        subject_partner=busy.partners.get(role="A"),
        type=Alert.Type.NOT_ON_TRACK,
        severity=Alert.Severity.INFO,
        rule="not_on_track",
    )
    alert.recipients.add(alice)
    sign_in(client, alice)
    rows = {r.couple.label: r for r in client.get(reverse("caseload")).context["rows"]}
    assert (rows["Busy"].open_alerts, rows["Busy"].overdue) == (1, 2)  # both partners' GAD-7
    assert (rows["Quiet"].open_alerts, rows["Quiet"].overdue) == (0, 0)
    assert rows_of(client, alerts="1") == ["Busy"]
    assert rows_of(client, overdue="1") == ["Busy"]
    assert rows_of(client, sort="overdue") == ["Busy", "Quiet"]


def test_the_caseload_is_paged(client: Client, alice: User) -> None:
    build_couples(alice, caseload.PAGE_SIZE + 2, sessions=1, instruments=("CSI-4",))
    sign_in(client, alice)
    first = client.get(reverse("caseload"))
    assert len(first.context["rows"]) == caseload.PAGE_SIZE
    assert "Page 1 of 2" in first.content.decode()
    assert len(rows_of(client, page="2")) == 2


def test_unknown_sorts_and_filters_fall_back_to_the_defaults(client: Client, alice: User) -> None:
    make_couple(alice, "Only couple")
    sign_in(client, alice)
    assert rows_of(client, sort="password", signal="drop table", status="nope") == ["Only couple"]


def test_a_colleagues_and_another_clinics_couples_are_not_listed(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    build_couples(bob, 2, sessions=2, instruments=("CSI-4",), label="Bob's")
    build_couples(charlie, 2, sessions=2, instruments=("CSI-4",), label="Charlie's")
    make_couple(alice, "Alice's", status=Couple.Status.ASSESSMENT)
    sign_in(client, alice)
    assert rows_of(client) == ["Alice's"]
