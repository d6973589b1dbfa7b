"""A channel's window for automated messages and the wording they may use (issue 18).

Set by a clinician when adding a channel: both clock times or neither, a window may cross
midnight, and the wording stays neutral unless ticked. Through the action and the case page,
on the real database; the audit names the fields, never their values.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.test import Client

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples import actions
from rebond.couples.models import ContactChannel, Couple
from rebond.couples.tests.helpers import case_url, login, partners_of
from rebond.lib.errors import ActionError
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

PREFIX = "partner-A-channel-"


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))


def draft(**fields: object) -> actions.ChannelDraft:
    values: dict[str, object] = {"kind": "email", "value": "sam@example.org"}
    values["safe_to_contact"] = True
    return actions.ChannelDraft(**{**values, **fields})  # type: ignore[arg-type]


def test_a_channel_without_a_window_keeps_the_clinic_default_and_neutral_wording(
    alice: User, couple: Couple
) -> None:
    sam, _ = partners_of(couple)
    channel = actions.add_contact_channel(alice, sam.id, draft())
    channel.refresh_from_db()
    assert (channel.safe_from, channel.safe_until, channel.may_mention_therapy) == (
        None,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(18), time(20)), (time(21), time(7)), (time(23, 30), time(0, 15))],
    ids=["evening", "overnight", "across-midnight"],
)
def test_the_action_stores_the_window_and_the_wording(
    alice: User, couple: Couple, start: time, end: time
) -> None:
    sam, _ = partners_of(couple)
    channel = actions.add_contact_channel(
        alice, sam.id, draft(safe_from=start, safe_until=end, may_mention_therapy=True)
    )
    channel.refresh_from_db()
    assert (channel.safe_from, channel.safe_until) == (start, end)
    assert channel.may_mention_therapy is True
    entry = AuditEntry.objects.filter(action="couples.channel.add").get()
    assert {"safe_from", "safe_until", "may_mention_therapy"} <= set(entry.fields)
    # Field names only: no time, address or flag value is in the audit row.
    row = str(AuditEntry.objects.filter(id=entry.id).values().get())
    assert start.strftime("%H:%M") not in row
    assert "sam@example.org" not in row


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (time(21), None, "safe_until", "Give the time until which a message is safe too"),
        (None, time(7), "safe_from", "Give the time from which a message is safe too"),
        (time(9), time(9), "safe_until", "Give two different times"),
    ],
)
def test_the_action_refuses_half_a_window_and_saves_nothing(
    alice: User,
    couple: Couple,
    start: time | None,
    end: time | None,
    field: str,
    message: str,
) -> None:
    sam, _ = partners_of(couple)
    before = AuditEntry.objects.count()
    with pytest.raises(ActionError) as caught:
        actions.add_contact_channel(alice, sam.id, draft(safe_from=start, safe_until=end))
    assert list(caught.value.errors) == [field]
    assert caught.value.errors[field][0].startswith(message)
    assert not ContactChannel.objects.filter(partner=sam).exists()
    assert AuditEntry.objects.count() == before


def _post(client: Client, couple: Couple, **fields: str) -> tuple[int, str]:
    sam, _ = partners_of(couple)
    data = {
        "kind": "email",
        "value": "sam@example.org",
        "safe_to_contact": "yes",
        "safe_hours": "weekday evenings",
        "may_leave_message": "no",
        **fields,
    }
    r = client.post(
        case_url("channel_add", couple, sam.id), {PREFIX + k: v for k, v in data.items()}
    )
    return r.status_code, r.content.decode()


def test_the_case_page_form_offers_the_window_and_the_clinics_wording_unticked(
    client: Client, alice: User, couple: Couple
) -> None:
    body = login(client, alice).get(case_url("case", couple)).content.decode()
    assert "Safe to send a message between these times (optional)" in body
    assert f'<input type="time" name="{PREFIX}safe_from"' in body
    assert f'<input type="time" name="{PREFIX}safe_until"' in body
    assert "Messages may say they come from Clinic A and what they are about" in body
    box = re.search(rf'<input type="checkbox" name="{PREFIX}may_mention_therapy"[^>]*>', body)
    assert box is not None
    assert "checked" not in box.group(0)


def test_the_case_page_stores_an_overnight_window_and_shows_it(
    client: Client, alice: User, couple: Couple
) -> None:
    login(client, alice)
    status, _ = _post(
        client, couple, safe_from="21:00", safe_until="07:00", may_mention_therapy="on"
    )
    assert status == 302
    channel = ContactChannel.objects.get()
    assert (channel.safe_from, channel.safe_until) == (time(21), time(7))
    assert channel.may_mention_therapy is True
    body = client.get(case_url("case", couple)).content.decode()
    assert "Hours: weekday evenings" in body
    assert "Messages between 21:00 and 07:00 · may name the clinic" in body


def test_the_case_page_shows_a_channel_without_a_window_as_the_clinics_usual_hours(
    client: Client, alice: User, couple: Couple
) -> None:
    login(client, alice)
    assert _post(client, couple)[0] == 302
    body = client.get(case_url("case", couple)).content.decode()
    assert "Messages in the clinic\u2019s usual hours · neutral wording only" in body


@pytest.mark.parametrize(
    ("fields", "wrong", "message"),
    [
        ({"safe_from": "21:00"}, "safe_until", "Give the time until which a message is safe"),
        ({"safe_until": "07:00"}, "safe_from", "Give the time from which a message is safe"),
        ({"safe_from": "9pm", "safe_until": "07:00"}, "safe_from", "Enter a time like 18:00."),
    ],
)
def test_the_case_page_keeps_what_was_typed_and_names_the_field_in_error(
    client: Client,
    alice: User,
    couple: Couple,
    fields: dict[str, str],
    wrong: str,
    message: str,
) -> None:
    login(client, alice)
    status, body = _post(client, couple, may_mention_therapy="on", **fields)
    assert status == 422
    assert not ContactChannel.objects.exists()
    error_id = f"id_{PREFIX}{wrong}-error"
    assert re.search(rf'<p class="field-error" id="{error_id}">.*{re.escape(message)}', body)
    assert re.search(rf'name="{PREFIX}{wrong}" id="id_{PREFIX}{wrong}"[^>]*aria-invalid', body)
    for name, value in fields.items():
        assert f'name="{PREFIX}{name}" id="id_{PREFIX}{name}" value="{value}"' in body
    assert 'value="sam@example.org"' in body
    assert "weekday evenings" in body
    box = re.search(rf'<input type="checkbox" name="{PREFIX}may_mention_therapy"[^>]*>', body)
    assert box is not None
    assert "checked" in box.group(0)
    # The disclosure holding the form is open, so the error is in view.
    assert re.search(r'<details class="disclosure" open>\s*<summary>Add a contact channel', body)
