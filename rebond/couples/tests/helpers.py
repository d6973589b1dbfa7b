"""Builders and assertions shared by the case-page tests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples import actions
from rebond.couples.models import ConsentDocument, Couple, Injury, Partner
from rebond.test import make_couple, sign_in

HTMX = {"HX-Request": "true"}


def case_with_everything(clinician: User, label: str = "Rivera & Chen") -> Couple:
    """Return a case with a channel, a consent, an injury and a safety concern on it."""
    couple = make_couple(clinician, label, partners=("Sam Rivera", "Alex Chen"))
    sam, alex = partners_of(couple)
    actions.add_contact_channel(
        clinician, sam.id, actions.ChannelDraft("email", "sam.canary@example.test", True)
    )
    document = next(iter(actions.current_documents().values()))
    actions.record_consent(clinician, alex.id, document.id)
    actions.record_injury(clinician, couple.id, injury_draft(sam, alex))
    actions.record_injury(
        clinician,
        couple.id,
        injury_draft(sam, alex, category="safety_threat", subtype="verbal_abuse"),
    )
    return couple


def partners_of(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b


def injury_draft(hurt: Partner, hurtful: Partner, **fields: Any) -> actions.InjuryDraft:
    values: dict[str, Any] = {
        "category": Injury.Category.INFIDELITY,
        "subtype": Injury.Subtype.EMOTIONAL_AFFAIR,
        "hurt_partner_id": hurt.id,
        "hurtful_partner_id": hurtful.id,
        "disclosure_state": Injury.Disclosure.KNOWN_TO_BOTH,
    }
    values.update(fields)
    return actions.InjuryDraft(**values)


def documents() -> dict[str, ConsentDocument]:
    return actions.current_documents()


def consent_to_conjoint(clinician: User, couple: Couple) -> None:
    """Record every consent and screen the conjoint guard asks of both partners."""
    docs = documents()
    for partner in partners_of(couple):
        actions.record_individual_screen(clinician, partner.id)
        for kind in actions.CONJOINT_CONSENTS:
            actions.record_consent(clinician, partner.id, docs[kind].id)


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def last_audit(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no audit entry {action}"
    return entry


def assert_no_values_in_audit(*values: str) -> None:
    """Assert that no audit entry holds any of these values (only ids and field names)."""
    for entry in AuditEntry.objects.all():
        text = " ".join(
            str(v)
            for v in (
                entry.actor_label,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.fields,
                entry.reason,
            )
        )
        for value in values:
            assert value not in text, (value, entry.action)


def case_url(name: str, couple: Couple, *ids: Any) -> str:
    return reverse(name, args=[couple.id, *ids])
