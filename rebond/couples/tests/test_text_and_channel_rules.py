"""Issue 15, D16: contact channels must be reachable addresses, names and labels refuse
Unicode bidirectional controls, and line breaks count the same in the browser and on the
server. Each through the real page (POST), on the real database."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

import rebond
from rebond.accounts.models import User
from rebond.couples import actions
from rebond.couples.models import ContactChannel, Couple
from rebond.couples.tests.helpers import case_url, login, partners_of
from rebond.lib.errors import ActionError
from rebond.lib.forms import Textarea
from rebond.lib.text import BIDI_CONTROLS, BIDI_MESSAGE
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
BIDI_ERROR = escape(BIDI_MESSAGE).encode()


def _case(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))


def _add_channel(client: Client, couple: Couple, kind: str, value: str, hours: str = "") -> int:
    sam, _ = partners_of(couple)
    prefix = "partner-A-channel-"
    data = {"kind": kind, "value": value, "safe_to_contact": "yes", "may_leave_message": "no"}
    data["safe_hours"] = hours
    response = client.post(
        case_url("channel_add", couple, sam.id), {prefix + k: v for k, v in data.items()}
    )
    return response.status_code


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "daniel at example", "Enter an e-mail address such as name@example.org."),
        ("email", "daniel@", "Enter an e-mail address such as name@example.org."),
        ("phone", "call me after 6", "Enter a phone number"),
        ("text", "12", "Enter a phone number"),
    ],
)
def test_a_channel_that_cannot_be_reached_is_refused(
    client: Client, alice: User, kind: str, value: str, message: str
) -> None:
    couple = _case(alice)
    login(client, alice)
    sam, _ = partners_of(couple)
    response = client.post(
        case_url("channel_add", couple, sam.id),
        {
            "partner-A-channel-kind": kind,
            "partner-A-channel-value": value,
            "partner-A-channel-safe_to_contact": "yes",
            "partner-A-channel-may_leave_message": "no",
        },
    )
    assert response.status_code == 422
    assert escape(message).encode() in response.content
    assert not ContactChannel.objects.filter(partner=sam).exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "daniel@example.org"), ("phone", "+44 20 7946 0000"), ("text", "(06) 12-34-56")],
)
def test_a_reachable_channel_is_kept(client: Client, alice: User, kind: str, value: str) -> None:
    couple = _case(alice)
    login(client, alice)
    assert _add_channel(client, couple, kind, value) == 302
    sam, _ = partners_of(couple)
    assert ContactChannel.objects.get(partner=sam).value == value


def test_the_action_refuses_a_bad_address_from_any_caller(alice: User) -> None:
    couple = _case(alice)
    sam, _ = partners_of(couple)
    with pytest.raises(ActionError) as refused:
        actions.add_contact_channel(alice, sam.id, actions.ChannelDraft("email", "daniel at x"))
    assert "value" in refused.value.errors


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_a_partner_name_with_a_bidi_control_is_refused(
    client: Client, alice: User, control: str
) -> None:
    couple = _case(alice)
    login(client, alice)
    sam, _ = partners_of(couple)
    response = client.post(
        case_url("partner_update", couple, sam.id),
        {"partner-A-display_name": f"Sam{control}reviR", "partner-A-language": "en"},
    )
    assert response.status_code == 422
    assert BIDI_ERROR in response.content
    sam.refresh_from_db()
    assert sam.display_name == "Sam Rivera"


def test_right_to_left_names_without_controls_are_welcome(client: Client, alice: User) -> None:
    couple = _case(alice)
    login(client, alice)
    sam, _ = partners_of(couple)
    response = client.post(
        case_url("partner_update", couple, sam.id),
        {"partner-A-display_name": "سام ريفيرا", "partner-A-language": "es"},
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.display_name == "سام ريفيرا"


def test_a_case_label_and_safe_hours_with_a_bidi_control_are_refused(
    client: Client, alice: User
) -> None:
    couple = _case(alice)
    login(client, alice)
    response = client.post(
        case_url("case_details", couple),
        {
            "case-label": f"Rivera {RLO}& Chen",
            "case-secrets_policy": "no_secrets",
            "case-modality": "conjoint",
        },
    )
    assert response.status_code == 422
    assert BIDI_ERROR in response.content
    couple.refresh_from_db()
    assert couple.label == "Rivera & Chen"
    assert _add_channel(client, couple, "email", "sam@example.org", f"9{RLO}-12") == 422
    assert not ContactChannel.objects.exists()


def test_the_actions_refuse_bidi_controls_from_any_caller(alice: User) -> None:
    couple = _case(alice)
    sam, _ = partners_of(couple)
    with pytest.raises(ActionError):
        actions.update_partner(alice, sam.id, display_name=f"Sam{RLO}", pronouns="", language="en")
    with pytest.raises(ActionError):
        actions.open_case(
            alice,
            label="New",
            partners=[actions.PartnerDraft(f"A{RLO}"), actions.PartnerDraft("B")],
        )


def test_line_breaks_count_once_as_the_browser_counts_them(client: Client, alice: User) -> None:
    couple = _case(alice)
    login(client, alice)
    # 900 lines: 1,800 characters in the browser (maxlength 2000), 2,700 as submitted (CR LF).
    notes = "a\r\n" * 899 + "a"
    response = client.post(
        case_url("case_details", couple),
        {
            "case-label": "Rivera & Chen",
            "case-relationship_agreement_notes": notes,
            "case-secrets_policy": "no_secrets",
            "case-modality": "conjoint",
        },
    )
    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.relationship_agreement_notes == "a\n" * 899 + "a"


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(rebond.__path__, "rebond."):
        if module.name.endswith((".forms", ".views", "_views")) and ".tests" not in module.name:
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("rebond.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


def test_every_multi_line_field_counts_line_breaks_as_the_browser_does() -> None:
    textareas = [
        (cls.__name__, name, field.widget)
        for cls in _all_form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field.widget, forms.Textarea)
    ]
    assert len(textareas) >= 15  # every multi-line field of the project, not an empty sweep
    assert not [(form, name) for form, name, w in textareas if not isinstance(w, Textarea)]


def test_the_session_label_partners_see_refuses_bidi_controls(client: Client, alice: User) -> None:
    couple = _case(alice)
    login(client, alice)
    response = client.post(
        reverse("therapy_session_record", args=[couple.id]),
        {
            "kind": "conjoint",
            "occurred_at": "2025-01-10T10:00",
            "attendance": "held",
            "attendees": [str(p.id) for p in couple.partners.all()],
            "shared_label": f"Session{RLO}",
        },
    )
    assert response.status_code == 422
    assert BIDI_ERROR in response.content
