"""Issue 15 A4: no field holding one person's private data lets a shared browser remember it.

Every page a partner can open in their private-link session, the PIN page and the public
consultation-request form are walked; every input, select and textarea a person fills in must
have autocomplete off (on itself, or on its form), so the browser never offers partner A's
safe hours, answers or name to partner B on the same device.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client

from rebond.portal import actions as portal_actions
from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, own_kwargs, undone, url
from rebond.tests.security.world import (
    ANONYMOUS,
    PARTNER_A,
    PARTNER_B,
    THERAPIST,
    World,
    client_for,
    make_token,
)

pytestmark = pytest.mark.django_db

SECTION = "A4 autocomplete"
# The clinicians' sign-in page is public too, but holds a clinician's own credentials: a
# password manager is welcome there, and on the pages of a forgotten password.
CLINICIAN_SIGN_IN = frozenset({"login", "password_reset", "password_reset_confirm"})
# Inputs nobody types into: nothing for a browser to remember.
SKIPPED = CLINICIAN_SIGN_IN | {"portal:open_link"}  # the link itself is a redirect
NOT_TYPED = frozenset({"hidden", "submit", "button", "image", "reset"})


@dataclass(frozen=True)
class Field:
    page: str
    name: str
    autocomplete: str


class _Fields(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.fields: list[Field] = []
        self._form_autocomplete = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form_autocomplete = a.get("autocomplete", "")
        elif tag in ("input", "select", "textarea") and a.get("type", "text") not in NOT_TYPED:
            # The field's own attribute wins; without one it inherits its form's.
            own = a.get("autocomplete", self._form_autocomplete)
            self.fields.append(Field(self.page, a.get("name", "?"), own))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form_autocomplete = ""


def fields_on(client: Client, path: str) -> list[Field]:
    with undone(client):
        response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = _Fields(path)
    parser.feed(response.content.decode())
    return parser.fields


def partner_facing_fields(world: World) -> list[Field]:
    found: list[Field] = []
    for role in (PARTNER_A, PARTNER_B):
        client = client_for(world, role)
        for route in all_routes():
            if role not in policy.allowed(route.name, "GET") or route.name in SKIPPED:
                continue
            found += fields_on(client, url(route, own_kwargs(world, route)))
    anonymous = Client()
    for route in all_routes():
        if route.name in SKIPPED:
            continue
        if ANONYMOUS in policy.allowed(route.name, "GET"):
            found += fields_on(anonymous, url(route, own_kwargs(world, route)))
    # The clinician's forms for one partner's name and contact channels (case page).
    clinician = client_for(world, THERAPIST)
    found += [
        f
        for f in fields_on(clinician, f"/cases/{world.c1.couple.id}/")
        if f.name.endswith(("-display_name", "-channel-value", "-channel-safe_hours"))
    ]
    # The PIN page, as a partner with a PIN sees it after opening their link.
    portal_actions.set_link_pin(world.people[THERAPIST], world.c1.b.id, "482913")
    pin_client = Client()
    assert (
        pin_client.get(f"/p/{make_token(world.c1.b, world.people[THERAPIST])}/").status_code == 302
    )
    found += fields_on(pin_client, "/me/pin/")
    return found


def test_every_field_a_partner_or_requester_fills_in_has_autocomplete_off(world: World) -> None:
    fields = partner_facing_fields(world)
    pages = {f.page for f in fields}
    remembered = [f for f in fields if f.autocomplete != "off"]
    figures.record(SECTION, "pages", len(pages))
    figures.record(SECTION, "fields", len(fields))
    figures.record(SECTION, "fields a browser may remember", len(remembered))
    # The walk reaches the forms named in the issue: safe hours, goal, check-in answers, PIN,
    # the public request form.
    names = {f.name for f in fields}
    assert {"safe_hours", "intake_goal", "pin", "name", "safe_times"} <= names, names
    assert {
        "partner-A-display_name",
        "partner-A-channel-value",
        "partner-B-channel-safe_hours",
    } <= names
    assert any(name.startswith("item") or name.startswith("q") for name in names), names
    assert remembered == [], "\n".join(f"{f.page} {f.name}: {f.autocomplete!r}" for f in remembered)
