"""The diary's alert on the clinician's side: the inbox, the alert page and the e-mail nudge
work with an alert that has no submission, and say only what the clinician needs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.alerts.delivery import deliver_notifications
from rebond.alerts.models import Alert
from rebond.diary import actions
from rebond.diary.tests.conftest import Case, draft
from rebond.test import sign_in

pytestmark = pytest.mark.django_db


def test_the_clinician_sees_where_the_alert_came_from_and_nothing_of_the_words(
    case: Case, alice: User
) -> None:
    line = "CANARY-diary-alert-line"
    actions.write_entry(case.a, draft(not_safe_now=True, line=line))
    alert = Alert.objects.get()
    client = Client()
    sign_in(client, alice)
    inbox = client.get(reverse("alerts")).content.decode()
    assert "Said they don&#x27;t feel safe right now (diary)" in inbox
    page = client.get(reverse("alert", args=[alert.id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Diary entry of" in html
    assert "said they don't feel safe right now" in html
    assert "check-in" not in html.split("What happened", 1)[1].split("Follow-up", 1)[0]
    assert line not in html
    assert "Conjoint work on this case is paused" in html


def test_the_nudge_says_nothing_of_the_diary(case: Case, alice: User) -> None:
    actions.write_entry(case.a, draft(not_safe_now=True, line="CANARY-nudge"))
    mail.outbox.clear()
    assert deliver_notifications() == 1
    [message] = mail.outbox
    assert message.to == [alice.email]
    text = f"{message.subject}\n{message.body}"
    for word in ("diary", "CANARY", "Robin", "safe right now"):
        assert word not in text
