"""The alert inbox and one alert's page: for its recipients only, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import User
from rebond.alerts import actions, delivery
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import (
    ITEM9_MORE_THAN_HALF,
    ITEM9_SEVERAL_DAYS,
    login,
    make_alert,
    raise_alert,
)
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.lib.text import normalise_line_breaks
from rebond.test import change_entries, make_clinician, make_couple

pytestmark = pytest.mark.django_db


def snapshot(alert: Alert) -> tuple[Any, ...]:
    alert.refresh_from_db()
    return (
        alert.status,
        alert.acknowledged_by_id,
        alert.disposition,
        alert.disposition_reason,
        alert.closed_at,
        alert.escalated_at,
    )


def test_the_inbox_lists_open_alerts_first_by_severity_with_who_and_which_case(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    priority = raise_alert(alice, couple, ITEM9_SEVERAL_DAYS)
    high = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF, role="B")
    closed = make_alert(couple, [alice])
    actions.close_alert(alice, closed.id, disposition="false_positive", reason="Misread.")
    body = login(client, alice).get(reverse("alerts")).content.decode()
    # Open only by default, HIGH before PRIORITY; severity as a word beside its icon.
    assert body.index(str(high.id)) < body.index(str(priority.id))
    assert str(closed.id) not in body
    assert "High" in body
    assert "Priority" in body
    assert "Suicide risk screen positive" in body
    assert "About Alex Chen" in body
    assert "About Sam Rivera" in body
    assert reverse("case", args=[couple.id]) in body
    assert "Escalates at" in body  # the open HIGH alert's deadline
    closed_body = client.get(reverse("alerts") + "?state=closed").content.decode()
    assert str(closed.id) in closed_body
    assert str(high.id) not in closed_body
    everything = client.get(reverse("alerts") + "?state=all").content.decode()
    assert everything.index(str(priority.id)) < everything.index(str(closed.id))
    # An unknown filter is the default, never an error.
    assert client.get(reverse("alerts") + "?state=%00").status_code == 200


def test_the_inbox_query_count_does_not_grow_with_the_alerts(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    couples = [make_couple(alice, f"Couple {n}") for n in range(10)]
    for couple in couples:
        couple.co_clinicians.add(bob)
        make_alert(couple, [alice, bob])
        make_alert(couple, [alice], severity=Alert.Severity.PRIORITY)
    escalated = make_alert(couples[0], [alice])
    escalated.escalated_at = now()
    escalated.save()
    login(client, alice)
    # Session, user, clinic, the header's two counts (requests, alerts), tab counts, rows, and
    # which of the cases are hers.
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(16):
        r = client.get(reverse("alerts"))
    assert r.content.decode().count('class="alert-row ') == 21


def test_acknowledge_then_close_with_a_disposition(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    alert = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    login(client, alice)
    page = client.get(reverse("alert", args=[alert.id]))
    assert page.status_code == 200
    assert "Acknowledge" in page.content.decode()
    r = client.post(reverse("alert_acknowledge", args=[alert.id]))
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.acknowledged_by == alice
    r = client.post(
        reverse("alert_close", args=[alert.id]),
        {"close-disposition": "safety_plan", "close-reason": "Seen alone; plan made."},
    )
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert alert.disposition == Alert.Disposition.SAFETY_PLAN
    text = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert "Safety plan made" in text
    assert "Seen alone; plan made." in text
    assert "Close the alert" not in text
    assert AuditEntry.objects.filter(action="alerts.alert.close").count() == 1
    assert AuditEntry.objects.filter(action="alerts.alert.view").exists()


def test_closing_without_a_disposition_or_reason_shows_the_errors(
    client: Client, alice: User
) -> None:
    alert = raise_alert(alice, make_couple(alice), ITEM9_SEVERAL_DAYS)
    before = snapshot(alert)
    r = login(client, alice).post(
        reverse("alert_close", args=[alert.id]), {"close-disposition": "", "close-reason": "  "}
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'aria-invalid="true"' in body
    assert snapshot(alert) == before
    # Closing twice: the second answer explains, the first decision stands.
    data = {"close-disposition": "false_positive", "close-reason": "Misread."}
    assert client.post(reverse("alert_close", args=[alert.id]), data).status_code == 302
    closed = snapshot(alert)
    again = client.post(reverse("alert_close", args=[alert.id]), data)
    assert again.status_code in (302, 422)
    assert snapshot(alert) == closed


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    disposition=st.one_of(TEXT, st.sampled_from(Alert.Disposition.values)),
    reason=st.one_of(TEXT, st.text(min_size=5001, max_size=5003)),
)
def test_the_close_form_never_fails_and_never_half_saves(
    client: Client, alice: User, disposition: str, reason: str
) -> None:
    alert = make_alert(make_couple(alice), [alice])
    before = snapshot(alert)
    r = login(client, alice).post(
        reverse("alert_close", args=[alert.id]),
        {"close-disposition": disposition, "close-reason": reason},
    )
    assert r.status_code in (302, 422)
    after = snapshot(alert)
    if r.status_code == 422:
        assert after == before
    else:
        assert after[0] == Alert.Status.CLOSED
        assert after[2] in Alert.Disposition.values
        # The reason's line breaks are made LF, as the browser counts them (lib/forms.Textarea).
        assert after[3] == normalise_line_breaks(reason).strip()
        assert after[3]


def alert_urls(alert: Alert) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", reverse("alert", args=[alert.id]), {}),
        ("post", reverse("alert_acknowledge", args=[alert.id]), {}),
        (
            "post",
            reverse("alert_close", args=[alert.id]),
            {"close-disposition": "false_positive", "close-reason": "x"},
        ),
        (
            "post",
            reverse("alert_resume_case", args=[alert.id]),
            {"resume-to_status": "individual_only", "resume-reason": "x", "resume-override": "on"},
        ),
    ]


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_every_alert_url_is_a_404_for_anyone_else_and_changes_nothing(
    client: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    couple = make_couple(alice, "Canary Case", status=Couple.Status.CONJOINT_ACTIVE)
    alert = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    other: User = request.getfixturevalue(persona)
    login(client, other)
    before, entries = snapshot(alert), change_entries()
    for method, url, data in alert_urls(alert):
        r = getattr(client, method)(url, data)
        assert r.status_code == 404, (url, r.status_code)
        assert "Canary" not in r.content.decode()
    listing = client.get(reverse("alerts") + "?state=all").content.decode()
    assert str(alert.id) not in listing
    assert "Canary" not in listing
    assert snapshot(alert) == before
    assert change_entries() == entries
    couple.refresh_from_db()
    assert couple.status == Couple.Status.PAUSED_SAFETY


def test_a_paused_case_shows_on_the_alert_and_the_decision_ends_the_pause(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    alert = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    login(client, alice)
    body = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert "Paused for safety" in body
    assert "Record the decision" in body
    url = reverse("alert_resume_case", args=[alert.id])
    # A decision needs a reason.
    r = client.post(url, {"resume-to_status": "individual_only", "resume-reason": ""})
    assert r.status_code == 422
    # The lifecycle's guards apply: the individual safety screens are not done.
    r = client.post(url, {"resume-to_status": "individual_only", "resume-reason": "Seen alone."})
    assert r.status_code == 422
    assert "individual safety screen is not done" in r.content.decode()
    couple.refresh_from_db()
    assert couple.status == Couple.Status.PAUSED_SAFETY
    # Anything but the three decisions is refused by the form.
    r = client.post(url, {"resume-to_status": "closed", "resume-reason": "x"})
    assert r.status_code == 422
    r = client.post(
        url,
        {
            "resume-to_status": "individual_only",
            "resume-reason": "Seen alone; individual work first.",
            "resume-override": "on",
        },
    )
    assert r.status_code == 302
    couple.refresh_from_db()
    assert couple.status == Couple.Status.INDIVIDUAL_ONLY
    transition = couple.transitions.last()
    assert transition is not None
    assert transition.by == alice
    assert transition.is_override
    assert (
        "Record the decision" not in client.get(reverse("alert", args=[alert.id])).content.decode()
    )


def test_the_safety_lead_sees_an_escalated_alert_but_not_the_case(
    client: Client, alice: User
) -> None:
    lead = make_clinician(alice.clinic, "Lena Lead", is_safety_lead=True)
    couple = make_couple(alice, "Private label", status=Couple.Status.CONJOINT_ACTIVE)
    alert = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    login(client, lead)
    assert str(alert.id) not in client.get(reverse("alerts")).content.decode()
    assert client.get(reverse("alert", args=[alert.id])).status_code == 404
    window = timedelta(minutes=alice.clinic.high_alert_ack_minutes)  # type: ignore[union-attr]
    assert delivery.escalate_overdue_alerts(at=alert.created_at + window) == 1
    body = client.get(reverse("alerts")).content.decode()
    assert str(alert.id) in body
    assert "Escalated to safety leads" in body
    assert reverse("case", args=[couple.id]) not in body  # not on the case: no link to it
    page = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert "Only a clinician on the case can record the decision" in page
    assert client.post(reverse("alert_acknowledge", args=[alert.id])).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == lead
