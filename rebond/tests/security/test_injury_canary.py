"""Issue 15 A1: who sees an injury, for every disclosure state, kind, partner and share choice.

Case C1 of the security world gets one injury for every combination of disclosure state (4),
kind (4), which partner was hurt (2), whether it is shared with the hurt partner (2) and with
the hurtful partner (2), and who reported it (2): 256 injuries. Each holds two canaries: its
partner-facing summary (shown exactly where the rule of rebond/access/ says the injury is
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
from dataclasses import dataclass
from typing import Any

import pytest

from rebond.access import BOTH_PARTNERS_KNOW
from rebond.couples.models import Injury, Partner
from rebond.tests import figures
from rebond.tests.security.partner_channels import PARTNERS, PUBLIC, partner_channels
from rebond.tests.security.world import (
    CLINIC_ADMIN,
    THERAPIST,
    World,
    client_for,
)

pytestmark = pytest.mark.django_db

SECTION = "A1 injury canary"
# One subtype of each kind: the kind is what the rule looks at.
KINDS = {
    Injury.Category.INFIDELITY: Injury.Subtype.EMOTIONAL_AFFAIR,
    Injury.Category.BROKEN_TRUST: Injury.Subtype.HIDDEN_HABIT,
    Injury.Category.ATTACHMENT_NEGLECT: Injury.Subtype.UNAVAILABLE_AT_ILLNESS,
    Injury.Category.SAFETY_THREAT: Injury.Subtype.PHYSICAL_ABUSE,
}
# Words that would name a kind or its detail on a partner's screen ("Other" is too common).
KIND_WORDS = [str(label) for _, label in Injury.Category.choices] + [
    str(label) for value, label in Injury.Subtype.choices if value != Injury.Subtype.OTHER
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


@pytest.mark.slow
def test_an_injury_reaches_a_partner_only_where_the_rule_says(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
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
        if not where.endswith(PUBLIC):
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
