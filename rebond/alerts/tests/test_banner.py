"""The priority banner: on every clinician page of an alert's recipients, nowhere else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.alerts import actions
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, login, make_alert, raise_alert
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

BANNER = 'class="priority-banner"'


def banner_of(client: Client, url: str) -> str:
    body = client.get(url).content.decode()
    if BANNER not in body:
        return ""
    start = body.index(BANNER)
    return body[start : body.index("</div>", start)]


def test_the_banner_shows_the_recipients_their_open_priority_alerts(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    couple = make_couple(alice)
    raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    make_alert(couple, [alice], severity=Alert.Severity.PRIORITY)
    make_alert(couple, [alice], severity=Alert.Severity.INFO)  # never on the banner
    login(client, alice)
    for url in (reverse("caseload"), reverse("case", args=[couple.id])):
        banner = banner_of(client, url)
        assert "2 open priority alerts" in banner, url
        assert reverse("alerts") in banner
    for other in (bob, charlie):
        assert banner_of(login(Client(), other), reverse("caseload")) == ""


def test_the_banner_goes_when_the_alerts_are_closed(client: Client, alice: User) -> None:
    alert = raise_alert(alice, make_couple(alice), ITEM9_MORE_THAN_HALF)
    login(client, alice)
    actions.acknowledge_alert(alice, alert.id)
    assert "1 open priority alert<" in banner_of(client, reverse("caseload"))  # still to decide
    actions.close_alert(alice, alert.id, disposition="false_positive", reason="Misread.")
    assert banner_of(client, reverse("caseload")) == ""


def test_the_banner_never_shows_on_public_or_partner_pages(
    client: Client, alice: User, clinic_a: Clinic
) -> None:
    couple = make_couple(alice)
    raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    login(client, alice)  # a clinician logged in in the same browser
    public = client.get(reverse("consultation_request", args=[clinic_a.slug])).content.decode()
    assert BANNER not in public
    open_space(client, couple.partners.get(role="B"), alice)
    for url in ("/me/", reverse("checkin_list")):
        body = client.get(url).content.decode()
        assert BANNER not in body, url
        assert "priority" not in body.lower(), url
