"""A small world for the shelf's tests: one clinic with its admin, a case's therapist and
supervisor, a colleague off the case, and a clinician of another clinic; one couple; and pages
given to partner A only, to partner B only and to both."""

from __future__ import annotations

from dataclasses import dataclass

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple, Partner
from rebond.shelf import actions
from rebond.shelf.models import PageAssignment, ShelfPage
from rebond.test import make_clinic, make_clinician, make_couple


@dataclass
class ShelfWorld:
    clinic: Clinic
    admin: User
    therapist: User
    supervisor: User
    colleague: User
    outsider: User
    couple: Couple
    a: Partner
    b: Partner
    pages: dict[str, ShelfPage]
    given: dict[str, PageAssignment]


def page(
    admin: User, title: str, body: str = "Some **words**.", *, published: bool = True
) -> ShelfPage:
    return actions.create_page(admin, actions.PageDraft(title, body, published))


def build() -> ShelfWorld:
    clinic = make_clinic("Shelf Clinic")
    admin = make_clinician(clinic, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    therapist = make_clinician(clinic, "Tess Therapist")
    supervisor = make_clinician(clinic, "Sue Supervisor", is_supervisor=True)
    colleague = make_clinician(clinic, "Bob Colleague")
    other = make_clinic("Other Clinic")
    outsider = make_clinician(other, "Olga Outsider")
    couple = make_couple(
        therapist, "Case", partners=("Dana Rivera", "Sam Chen"), supervisor=supervisor
    )
    a = couple.partners.get(role=Partner.Role.A)
    b = couple.partners.get(role=Partner.Role.B)
    pages = {
        "A": page(admin, "For A only CANARY-ALPHA", "Body CANARY-ALPHA-BODY"),
        "B": page(admin, "For B only CANARY-BRAVO", "Body CANARY-BRAVO-BODY"),
        "both": page(admin, "For both CANARY-DUO", "Body CANARY-DUO-BODY"),
        "withdrawn": page(admin, "Withdrawn CANARY-WITHDRAWN", "Body CANARY-WITHDRAWN-BODY"),
        "unpublished": page(admin, "Unpublished CANARY-UNPUB", "Body CANARY-UNPUB-BODY"),
        "draft": page(admin, "Draft CANARY-DRAFT", "Body CANARY-DRAFT-BODY", published=False),
    }
    given = {
        key: actions.assign_page(therapist, couple.id, pages[key].id, to)
        for key, to in (
            ("A", "A"),
            ("B", "B"),
            ("both", "both"),
            ("withdrawn", "both"),
            ("unpublished", "both"),
        )
    }
    actions.withdraw_assignment(therapist, couple.id, given["withdrawn"].id)
    actions.set_page_published(admin, pages["unpublished"].id, published=False)
    return ShelfWorld(
        clinic, admin, therapist, supervisor, colleague, outsider, couple, a, b, pages, given
    )
