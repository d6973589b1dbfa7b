"""Issue 15 A1: who sees an injury, for every disclosure state, kind, partner and share choice.

Case C1 of the security world gets one injury for every combination of disclosure state (4),
kind (4), which partner was hurt (2), whether it is shared with the hurt partner (2) and with
the hurtful partner (2), and who reported it (2): 256 injuries. Each holds two canaries: its
partner-facing summary (shown exactly where the rule of accounts/access.py says the injury is
shown) and its onset (clinician free text, never shown to a partner). The rows are written
directly, so choices the clinician's form refuses (sharing before both know, sharing a threat
with its hurtful partner) are tried too: the access layer alone must hold.

Every channel a partner reaches is read as each partner: every page, htmx fragment and form
answer of the URL map in their private-link session (the refusals included), the e-mails they
are sent, the per-person export about them and the check-in summary PDF made for them.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils.timezone import now

from rebond.accounts.access import BOTH_PARTNERS_KNOW
from rebond.alerts.actions import deliver_notifications
from rebond.assessments.reminders import send_due_reminders
from rebond.couples.models import Injury, Partner
from rebond.interop import exports as interop_exports
from rebond.measurement import charts, reports, summary
from rebond.measurement.tests.test_client_summary import pdf_text
from rebond.portal import actions as portal_actions
from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.forms import post_forms
from rebond.tests.security.routes import all_routes, own_kwargs, send, undone, url
from rebond.tests.security.world import (
    ANONYMOUS,
    CLINIC_ADMIN,
    PARTNER_A,
    PARTNER_B,
    THERAPIST,
    World,
    client_for,
)

pytestmark = pytest.mark.django_db

SECTION = "A1 injury canary"
PARTNERS = (PARTNER_A, PARTNER_B)
# One subtype of each kind: the kind is what the rule looks at.
KINDS = {
    Injury.Category.INFIDELITY: Injury.Subtype.EMOTIONAL_AFFAIR,
    Injury.Category.BROKEN_TRUST: Injury.Subtype.HIDDEN_HABIT,
    Injury.Category.ATTACHMENT_NEGLECT: Injury.Subtype.UNAVAILABLE_AT_ILLNESS,
    Injury.Category.SAFETY_THREAT: Injury.Subtype.PHYSICAL_ABUSE,
}
# Words that would name a kind or its detail on a partner's screen ("Other" is too common).
KIND_WORDS = [label for _, label in Injury.Category.choices] + [
    label for value, label in Injury.Subtype.choices if value != Injury.Subtype.OTHER
]


@dataclass(frozen=True)
class Seeded:
    injury: Injury
    summary: str
    onset: str

    def shown_to(self, partner: Partner) -> bool:
        """The rule, written out from the issue's words (not from the code under test)."""
        injury = self.injury
        both_know = injury.disclosure_state in BOTH_PARTNERS_KNOW
        if partner.id == injury.hurt_partner_id:
            shared = injury.shared_with_hurt_partner
        else:
            shared = injury.shared_with_hurtful_partner
        causes_threat = (
            injury.category == Injury.Category.SAFETY_THREAT
            and partner.id == injury.hurtful_partner_id
        )
        return both_know and shared and not causes_threat


def seed_every_combination(world: World) -> list[Seeded]:
    couple, a, b = world.c1.couple, world.c1.a, world.c1.b
    seeded = []
    for state, (kind, subtype), (hurt, hurtful), to_hurt, to_hurtful, reporter in itertools.product(
        Injury.Disclosure.values,
        KINDS.items(),
        ((a, b), (b, a)),
        (False, True),
        (False, True),
        ("hurt", "hurtful"),
    ):
        tag = uuid.uuid4().hex[:12]
        injury = Injury.objects.create(
            couple=couple,
            category=kind,
            subtype=subtype,
            hurt_partner=hurt,
            hurtful_partner=hurtful,
            reported_by=hurt if reporter == "hurt" else hurtful,
            disclosure_state=state,
            onset_period=f"ONSET-{tag}",
            shared_with_hurt_partner=to_hurt,
            shared_with_hurtful_partner=to_hurtful,
            partner_summary=f"SUMMARY-{tag}",
            created_by=world.people[THERAPIST],
        )
        seeded.append(Seeded(injury, f"SUMMARY-{tag}", f"ONSET-{tag}"))
    return seeded


def partner_channels(
    world: World, clients: dict[str, Client], capture: Any
) -> Iterator[tuple[str, str, str]]:
    """Yield (partner role, where, text) for everything either partner can be given."""
    forms = post_forms(world, clients)
    for role in PARTNERS:
        client = clients[role]
        for route in all_routes():
            path = url(route, own_kwargs(world, route))
            for method, extra in (("GET", {}), ("GET", {"HTTP_HX_REQUEST": "true"}), ("POST", {})):
                form = forms.get(path)
                data = form.data() if form is not None and method == "POST" else None
                with undone(client):
                    response = send(client, method, path, data, **extra)
                # A public page (the request form lists kinds of betrayal) is the same for
                # everyone: only its canaries count, not its words.
                public = ANONYMOUS in policy.allowed(route.name, method)
                where = f"{method} {path}{' (public)' if public else ''}"
                yield role, where, response.content.decode(errors="replace")
    mail.outbox.clear()
    with capture(execute=True):  # the e-mails leave once the transaction commits
        for role in PARTNERS:
            portal_actions.invite_partner(world.people[THERAPIST], world.partner(role).id)
        deliver_notifications()
        send_due_reminders(now() + timedelta(days=60))
    addresses = {
        channel.value: role
        for role in PARTNERS
        for channel in world.partner(role).contact_channels.all()
    }
    sent = [m for m in mail.outbox if any(to in addresses for to in m.to)]
    assert sent, "no e-mail reached a partner"
    for message in sent:
        alternatives = " ".join(str(body) for body, _ in getattr(message, "alternatives", []))
        for to in message.to:
            if to in addresses:
                text = f"{message.subject}\n{message.body}\n{alternatives}"
                yield addresses[to], f"e-mail to {to}", text
    for role in PARTNERS:
        partner = world.partner(role)
        yield (
            role,
            "per-person export",
            interop_exports.person_export(world.people[THERAPIST], partner.id),
        )
        pdf = reports.client_report(summary.client_summary(partner), now())
        yield role, "check-in summary PDF", pdf_text(pdf)


def test_an_injury_reaches_a_partner_only_where_the_rule_says(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    # PDFs written uncompressed, so their text can be searched (as in test_client_summary).
    monkeypatch.setattr(charts, "RC_PARAMS", {**charts.RC_PARAMS, "pdf.compression": 0})
    seeded = seed_every_combination(world)
    clients = {role: client_for(world, role) for role in (*PARTNERS, THERAPIST, CLINIC_ADMIN)}
    seen: dict[str, set[str]] = {role: set() for role in PARTNERS}
    onsets = {s.onset for s in seeded}
    leaks: list[str] = []
    items = 0
    for role, where, text in partner_channels(world, clients, django_capture_on_commit_callbacks):
        items += 1
        seen[role].update(token for token in _tokens(text) if token.startswith("SUMMARY-"))
        leaks += [f"onset {o} reached {role} via {where}" for o in _tokens(text) & onsets]
        if not where.endswith("(public)"):
            leaks += [f"{w!r} reached {role} via {where}" for w in KIND_WORDS if w in text]
    cases = 0
    shown = 0
    for item, role in itertools.product(seeded, PARTNERS):
        cases += 1
        expected = item.shown_to(world.partner(role))
        got = item.summary in seen[role]
        shown += expected
        if got and not expected:
            leaks.append(f"{item.summary} ({_describe(item)}) reached {role}")
        if expected and not got:
            # The positive control: a sweep that cannot see would find no leak either.
            leaks.append(f"{item.summary} ({_describe(item)}) was not shown to {role}")
    figures.record(SECTION, "cases", cases)
    figures.record(SECTION, "items scanned", items)
    figures.record(SECTION, "shown where allowed", shown)
    figures.record(SECTION, "leaks", len(leaks))
    assert cases == 512
    assert shown > 0
    assert not leaks, "\n".join(leaks[:40])


CANARY = re.compile(r"(?:SUMMARY|ONSET)-[0-9a-f]{12}")


def _tokens(text: str) -> set[str]:
    return set(CANARY.findall(text))


def _describe(item: Seeded) -> str:
    injury = item.injury
    return (
        f"{injury.disclosure_state}, {injury.category}, shared with hurt"
        f" {injury.shared_with_hurt_partner}, hurtful {injury.shared_with_hurtful_partner}"
    )
