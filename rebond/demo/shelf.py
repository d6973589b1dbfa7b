"""The demo practice's reading shelf: Rebond's starter pages, and two of them given on the
first demo case (one to both partners, one to partner A only), so the case page's "Reading"
section and the partner's reading list have something to show."""

from __future__ import annotations

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.shelf import actions as shelf_actions
from rebond.shelf.models import PageAssignment, ShelfPage

DEMO_READING_CASE = "Okafor & Lindqvist"
# (starter page, to whom)
DEMO_READING = (
    ("3-why-healing-is-slow", shelf_actions.TO_BOTH),
    ("4-how-triggers-work", shelf_actions.TO_A),
)


def build_demo_shelf(clinic: Clinic, therapist: User) -> None:
    """Add the starter pages, and give two on the demo case once (re-running adds nothing)."""
    shelf_actions.install_starter_pages(clinic)
    # Labels are encrypted, so the demo's case is found by reading them, not by a query.
    couple = next(
        (c for c in Couple.objects.filter(clinic=clinic) if c.label == DEMO_READING_CASE), None
    )
    if couple is None or PageAssignment.objects.filter(couple=couple).exists():
        return
    pages = {p.starter_key: p for p in ShelfPage.objects.filter(clinic=clinic, published=True)}
    for key, to in DEMO_READING:
        if key in pages:
            shelf_actions.assign_page(therapist, couple.id, pages[key].id, to)
