"""A couple whose every private field holds a canary (SECURITY.md section 3), and helpers
that open a partner's space the way a partner does: through their private link."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft, InjuryDraft, InjurySharing
from rebond.couples.consent_texts import DEFAULT_CONSENT_TEXTS
from rebond.couples.models import ConsentDocument, ContactChannel, Couple, Injury, Partner
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.test import make_couple

LINK_RE = re.compile(r"https?://[^\s]+/p/([A-Za-z0-9_-]+)/")


def canary(person: str, name: str) -> str:
    return f"CANARY:{person}:{name}:{uuid.uuid4().hex[:10]}"


def make_link(partner: Partner, by: User, **fields: object) -> tuple[PrivateLink, str]:
    """Create a usable link directly (as the delivery task would) and return it with its token."""
    token = new_token()
    fields.setdefault("expires_at", now() + timedelta(days=14))
    link = PrivateLink.objects.create(
        partner=partner,
        purpose=PrivateLink.Purpose.INVITATION,
        token_hash=hash_token(token),
        created_by=by,
        **fields,
    )
    return link, token


def open_space(client: Client, partner: Partner, by: User) -> PrivateLink:
    """Open the partner's space in `client` through a fresh private link."""
    link, token = make_link(partner, by)
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/me/"
    return link


def tokens_in_outbox(to: str) -> list[str]:
    return [
        match
        for message in mail.outbox
        if to in message.to
        for match in LINK_RE.findall(str(message.body))
    ]


def ensure_consent_documents() -> None:
    """Restore the documents the data migration seeds: a transactional test flushes them."""
    for kind, title, body in DEFAULT_CONSENT_TEXTS:
        ConsentDocument.objects.get_or_create(
            kind=kind, version="1", defaults={"title": title, "body": body}
        )


@dataclass
class Side:
    partner: Partner
    canaries: list[str] = field(default_factory=list)
    email: ContactChannel | None = None
    phone: ContactChannel | None = None
    private_injury: Injury | None = None


@dataclass
class World:
    clinician: User
    couple: Couple
    a: Side
    b: Side
    shared_injury: Injury
    # Clinician free text on injuries (onsets): no partner reads it (issue 15 A1).
    clinician_only: list[str] = field(default_factory=list)

    def side(self, role: str) -> Side:
        return self.a if role == "A" else self.b

    def other(self, role: str) -> Side:
        return self.b if role == "A" else self.a


def _seed(clinician: User, partner: Partner, person: str) -> Side:
    side = Side(partner)
    name = canary(person, "display_name")
    couple_actions.update_partner(
        clinician, partner.id, display_name=name, pronouns="", language="en"
    )
    partner.refresh_from_db()
    side.canaries.append(name)
    address = f"canary-{person.lower()}-{uuid.uuid4().hex[:10]}@example.test"
    hours = canary(person, "safe_hours")
    number = f"+44 7700 {uuid.uuid4().int % 10**9:09d}"  # a phone channel holds a number
    side.email = couple_actions.add_contact_channel(
        clinician,
        partner.id,
        ChannelDraft(kind="email", value=address, safe_to_contact=True, safe_hours=hours),
    )
    side.phone = couple_actions.add_contact_channel(
        clinician,
        partner.id,
        ChannelDraft(kind="phone", value=number, safe_to_contact=True, may_leave_message=True),
    )
    side.canaries += [address, hours, number]
    return side


@pytest.fixture
def world(alice: User) -> World:
    ensure_consent_documents()
    couple = make_couple(alice, "Canary couple")
    a_partner, b_partner = list(couple.partners.order_by("role"))
    a, b = _seed(alice, a_partner, "A"), _seed(alice, b_partner, "B")
    clinician_only = ["SHARED-ONSET-clinicians-only"]
    for side, other in ((a, b), (b, a)):
        onset = canary(side.partner.role, "private_injury_onset")
        side.private_injury = couple_actions.record_injury(
            alice,
            couple.id,
            InjuryDraft(
                category=Injury.Category.BROKEN_TRUST,
                subtype=Injury.Subtype.HIDDEN_HABIT,
                hurt_partner_id=side.partner.id,
                hurtful_partner_id=other.partner.id,
                disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
                reported_by_id=side.partner.id,
                onset_period=onset,
            ),
        )
        clinician_only.append(onset)
    shared = couple_actions.record_injury(
        alice,
        couple.id,
        InjuryDraft(
            category=Injury.Category.ATTACHMENT_NEGLECT,
            subtype=Injury.Subtype.UNAVAILABLE_AT_ILLNESS,
            hurt_partner_id=a.partner.id,
            hurtful_partner_id=b.partner.id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            onset_period="SHARED-ONSET-clinicians-only",
            sharing=InjurySharing(
                with_hurt_partner=True,
                with_hurtful_partner=True,
                partner_summary="SHARED-SUMMARY-both-may-see",
            ),
        ),
    )
    # A threat to safety opens a clinician-only safety concern; partners never see its words.
    couple_actions.record_injury(
        alice,
        couple.id,
        InjuryDraft(
            category=Injury.Category.SAFETY_THREAT,
            subtype=Injury.Subtype.PHYSICAL_ABUSE,
            hurt_partner_id=a.partner.id,
            hurtful_partner_id=b.partner.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
            reported_by_id=a.partner.id,
        ),
    )
    return World(alice, couple, a, b, shared, clinician_only)
