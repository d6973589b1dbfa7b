"""Builders shared by the therapy tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Injury, Partner
from rebond.test import make_couple
from rebond.therapy import actions
from rebond.therapy.actions import RatingDraft, SessionDraft
from rebond.therapy.models import Session


def partners_of(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b


def make_case(clinician: User, label: str = "Rivera & Chen") -> Couple:
    return make_couple(clinician, label, partners=("Sam Rivera", "Alex Chen"))


def affair(clinician: User, couple: Couple, *, ongoing: bool = False) -> Injury:
    """Record an affair of partner B that hurt partner A, formulated as an attachment injury."""
    a, b = partners_of(couple)
    return couple_actions.record_injury(
        clinician,
        couple.id,
        couple_actions.InjuryDraft(
            category=Injury.Category.INFIDELITY,
            subtype=Injury.Subtype.SEXUAL_AFFAIR,
            hurt_partner_id=a.id,
            hurtful_partner_id=b.id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            ongoing=ongoing,
            is_attachment_injury=True,
        ),
    )


def held_session(
    clinician: User,
    couple: Couple,
    ratings: list[RatingDraft] | None = None,
    *,
    at: datetime | None = None,
    purpose: str = "",
) -> Session:
    """Record a held conjoint session, both partners present, with the ratings given."""
    return actions.record_session(
        clinician,
        couple.id,
        SessionDraft(
            occurred_at=at,
            attendee_ids=[p.id for p in couple.partners.all()],
            clinical_purpose=purpose,
        ),
        ratings or [],
        at=at,
    )


def deescalation_ratings(couple: Couple, rating: int = 1) -> list[RatingDraft]:
    return [
        RatingDraft(f"EFT.DEESC.{n}", rating, partner_id=partner.id)
        for n in range(1, 5)
        for partner in couple.partners.all()
    ]


def walk_to(clinician: User, couple: Couple, position: str) -> None:
    """Move the couple forward one position at a time, with override, up to `position`."""
    from rebond.therapy.models import EFT_ORDER

    progress = actions.ensure_stage_progress(couple)
    for target in EFT_ORDER[EFT_ORDER.index(progress.position) + 1 :]:
        actions.move_stage(
            clinician, couple.id, target, attest=True, override=True, reason="Test set-up"
        )
        if target == position:
            return


def days_ago(days: float) -> datetime:
    return now() - timedelta(days=days)
