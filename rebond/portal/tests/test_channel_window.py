"""A partner sets their own channel's window for automated messages and their wording
(issue 18), through their private link: both clock times or neither, it may cross midnight,
nothing typed is lost on an error, and never on the other partner's channel."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel
from rebond.lib.errors import ActionError
from rebond.portal import actions
from rebond.portal.tests.conftest import World, open_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_client(client: Client, world: World) -> Client:
    open_space(client, world.a.partner, world.clinician)
    return client


def hours_url(channel: ContactChannel | None) -> str:
    assert channel is not None
    return reverse("portal:channel_hours", kwargs={"channel_id": channel.id})


def test_the_form_shows_the_window_and_the_wording_unticked(a_client: Client, world: World) -> None:
    assert world.a.email is not None
    body = a_client.get(reverse("portal:home")).content.decode()
    field = f"hours-{world.a.email.id}"
    assert "Safe to send you a message between these times (optional)" in body
    assert f'<input type="time" name="safe_from" id="{field}-safe_from" value=""' in body
    assert f'<input type="time" name="safe_until" id="{field}-safe_until" value=""' in body
    assert "Messages may say they come from Clinic A and what they are about" in body
    box = re.search(rf'<input type="checkbox" name="may_mention_therapy" id="{field}-[^>]*>', body)
    assert box is not None
    assert "checked" not in box.group(0)


def test_a_partner_sets_an_overnight_window_and_sees_it_again(
    a_client: Client, world: World
) -> None:
    email = world.a.email
    assert email is not None
    r = a_client.post(
        hours_url(email),
        {
            "safe_hours": "late",
            "safe_from": "21:00",
            "safe_until": "07:00",
            "may_mention_therapy": "on",
        },
    )
    assert r.status_code == 302
    email.refresh_from_db()
    assert (email.safe_hours, email.safe_from, email.safe_until) == ("late", time(21), time(7))
    assert email.may_mention_therapy is True
    assert email.safe_to_contact is True  # Nothing else changes.
    entry = AuditEntry.objects.filter(action="portal.channel.safe_hours").latest("id")
    assert set(entry.fields) == {"safe_hours", "safe_from", "safe_until", "may_mention_therapy"}
    assert "21:00" not in str(AuditEntry.objects.filter(id=entry.id).values().get())
    body = a_client.get(reverse("portal:home")).content.decode()
    assert f'id="hours-{email.id}-safe_from" value="21:00"' in body
    assert f'id="hours-{email.id}-safe_until" value="07:00"' in body
    # Clearing both times and the box goes back to the clinic's window and neutral words.
    r = a_client.post(hours_url(email), {"safe_hours": "late"})
    assert r.status_code == 302
    email.refresh_from_db()
    assert (email.safe_from, email.safe_until, email.may_mention_therapy) == (None, None, False)


@pytest.mark.parametrize(
    ("fields", "wrong", "message"),
    [
        ({"safe_from": "21:00"}, "safe_until", "Give the time until which a message is safe"),
        ({"safe_until": "07:00"}, "safe_from", "Give the time from which a message is safe"),
        ({"safe_from": "08:00", "safe_until": "08:00"}, "safe_until", "Give two different"),
        ({"safe_from": "soon", "safe_until": "07:00"}, "safe_from", "Enter a time like 18:00."),
    ],
)
def test_an_incomplete_window_is_refused_beside_its_field_keeping_what_was_typed(
    a_client: Client, world: World, fields: dict[str, str], wrong: str, message: str
) -> None:
    email = world.a.email
    assert email is not None
    before = list(ContactChannel.objects.values().order_by("id"))
    audits = AuditEntry.objects.count()
    r = a_client.post(
        hours_url(email), {"safe_hours": "typed words", "may_mention_therapy": "on", **fields}
    )
    assert r.status_code == 400
    assert list(ContactChannel.objects.values().order_by("id")) == before
    assert AuditEntry.objects.count() == audits
    body = r.content.decode()
    field = f"hours-{email.id}-{wrong}"
    assert re.search(rf'<p class="field-error" id="{field}-error">.*{re.escape(message)}', body)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', body)
    for name, value in fields.items():
        assert f'id="hours-{email.id}-{name}" value="{value}"' in body
    assert 'value="typed words"' in body
    box = re.search(
        rf'<input type="checkbox" name="may_mention_therapy" id="hours-{email.id}-[^>]*>', body
    )
    assert box is not None
    assert "checked" in box.group(0)


def test_the_action_refuses_half_a_window(world: World) -> None:
    assert world.a.email is not None
    with pytest.raises(ActionError) as caught:
        actions.set_safe_hours(world.a.partner, world.a.email.id, "", safe_from=time(21))
    assert list(caught.value.errors) == ["safe_until"]


def test_partner_b_can_never_set_the_window_of_as_channel(client: Client, world: World) -> None:
    open_space(client, world.b.partner, world.clinician)
    before = list(ContactChannel.objects.values().order_by("id"))
    for channel in (world.a.email, world.a.phone):
        r = client.post(
            hours_url(channel),
            {"safe_from": "21:00", "safe_until": "07:00", "may_mention_therapy": "on"},
        )
        assert r.status_code == 404
        assert channel is not None
        with pytest.raises(ActionError):
            actions.set_safe_hours(
                world.b.partner, channel.id, "", safe_from=time(21), safe_until=time(7)
            )
    assert list(ContactChannel.objects.values().order_by("id")) == before
