"""A reminder link belongs to the check-ins it was sent about (SECURITY.md LK-01): it leads to
them, and once every one of them is finished it opens nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.assessments import actions
from rebond.assessments.models import CheckinReminder
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import tokens_in_outbox

from .test_reminders import DAY, PHQ9_RISK, build, sweep

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
CSI4_ANSWERS = {1: 3, 2: 3, 3: 3, 4: 3}


def open_reminder(capture: CommitCapture) -> tuple[Client, Any, str]:
    case = build(capture)
    sweep(capture, case.due + 3 * DAY)
    [token] = tokens_in_outbox("one@example.test")
    client = Client()
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302
    return client, case, token


def submit_all(client: Client, case: Any) -> None:
    for administration in case.a.administrations.all():
        answers = PHQ9_RISK if administration.instrument_code == "PHQ-9" else CSI4_ANSWERS
        data = {f"item-{n}": str(v) for n, v in answers.items()}
        data["submission_key"] = str(administration.submission_key)
        url = reverse("checkin_submit", kwargs={"administration_id": administration.id})
        assert client.post(url, data).status_code == 302


def test_a_reminder_link_leads_straight_to_its_check_ins(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY)
    [token] = tokens_in_outbox("one@example.test")
    response = Client().get(f"/p/{token}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("checkin_list")


def test_a_reminder_link_opens_nothing_once_its_check_ins_are_finished(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    client, case, token = open_reminder(django_capture_on_commit_callbacks)
    link = PrivateLink.objects.get(purpose=PrivateLink.Purpose.REMINDER, partner=case.a)
    # Finishing one of its two check-ins leaves it usable ...
    first = case.a.administrations.get(instrument_code="PHQ-9")
    data = {f"item-{n}": str(v) for n, v in PHQ9_RISK.items()}
    data["submission_key"] = str(first.submission_key)
    url = reverse("checkin_submit", kwargs={"administration_id": first.id})
    assert client.post(url, data).status_code == 302
    link.refresh_from_db()
    assert link.spent_at is None
    # (in the browser it was exchanged in: another browser is refused since issue 15 A2)
    assert client.get(f"/p/{token}/").status_code == 302
    # ... finishing the last spends it: the session it opened still reaches the receipt ...
    submit_all_open = case.a.administrations.get(instrument_code="CSI-4")
    data = {f"item-{n}": str(v) for n, v in CSI4_ANSWERS.items()}
    data["submission_key"] = str(submit_all_open.submission_key)
    url = reverse("checkin_submit", kwargs={"administration_id": submit_all_open.id})
    receipt = client.post(url, data)
    assert receipt.status_code == 302
    assert client.get(receipt["Location"]).status_code == 200
    link.refresh_from_db()
    assert link.spent_at is not None
    assert link.status == "Used up: its check-ins are finished"
    # ... but the token itself opens nothing more, with the same calm page as any bad link.
    again = Client().get(f"/p/{token}/")
    assert again.status_code == 404
    assert "expired or is not valid" in again.content.decode()


def test_cancelling_the_last_open_check_in_spends_the_link(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    _, case, token = open_reminder(django_capture_on_commit_callbacks)
    for administration in case.a.administrations.all():
        if administration.is_open and not administration.is_risk:
            actions.cancel_administration(case.therapist, administration.id)
    # The risk instrument is cancelled for both partners at once (identical timing).
    phq = case.a.administrations.get(instrument_code="PHQ-9")
    actions.cancel_administration(case.therapist, phq.id)
    assert Client().get(f"/p/{token}/").status_code == 404
    # The risk twin of B was cancelled too, but B's reminder also carries B's own CSI-4, still
    # open: B's link keeps working, whatever happened on A's side.
    b_link = PrivateLink.objects.get(purpose=PrivateLink.Purpose.REMINDER, partner=case.b)
    assert b_link.spent_at is None


def test_an_invitation_link_is_not_spent_by_finishing_check_ins(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    from rebond.portal.tests.conftest import make_link

    case = build(django_capture_on_commit_callbacks)
    invitation, token = make_link(case.a, case.therapist)
    client = Client()
    assert client.get(f"/p/{token}/")["Location"] == "/me/"
    submit_all(client, case)
    invitation.refresh_from_db()
    assert invitation.spent_at is None
    assert not CheckinReminder.objects.exists()
    mail.outbox.clear()
    assert invitation.expires_at - invitation.created_at <= timedelta(days=14)
