"""Who sees the reading shelf: a clinic's pages, and the pages given to a partner of a case.

Pages are the clinic's content, not a case's: every active clinician of the clinic reads them
(a colleague may want to know what the clinic gives couples to read), and only its clinic
admins create, change, publish or unpublish them (`get_admin_clinic`: a 403 naming who can for
another clinician of the clinic, a 404 for anyone else). Pages are never deleted.

Giving a page to a partner is work on a case: only the clinicians who reach the case
(rebond/access/cases.py: its team, or a live emergency grant) give one or withdraw it, and see
the case's assignments, with whether a partner has opened one.

What a partner sees (DOMAIN.md 7.5 rule 1: nothing moves between partners unless someone
chooses it; the other partner is the most likely reader of a private page):

  given to       | withdrawn | page published | partner A | partner B
  ---------------+-----------+----------------+-----------+----------
  partner A      | no        | yes            | the page  | nothing: 404
  partner B      | no        | yes            | nothing   | the page
  both partners  | no        | yes            | the page  | the page
  anyone         | yes       | any            | nothing   | nothing
  anyone         | any       | no             | nothing   | nothing

  "Nothing": not in their list, and its address answers 404 like a missing one, so a partner
  never learns that a page was given to the other. A partner is never shown who else a page was
  given to, nor whether anyone opened it (that is the case's clinicians' to see). Another
  couple's, or another clinic's, assignment is nothing to everyone but its own people.
  The case's status does not change this: a page given stays readable for as long as the
  partner's private link opens their space.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.cases import couples_for_clinician
from rebond.access.clinic import get_admin_clinic
from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple, Partner
from rebond.shelf.models import PageAssignment, ShelfPage

# --- Clinicians: the clinic's pages ------------------------------------------------------------


def shelf_pages_for_clinician(user: User) -> QuerySet[ShelfPage]:
    """Return the pages of the clinician's clinic (published or not), none without a clinic."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        return ShelfPage.objects.none()
    return ShelfPage.objects.filter(clinic_id=clinic_id)


def get_shelf_page_for_clinician(user: User, page_id: uuid.UUID | str) -> ShelfPage:
    """Return one page of the clinician's clinic, or raise Http404."""
    return get_or_404(shelf_pages_for_clinician(user), page_id)


def get_shelf_clinic_for_admin(user: User) -> Clinic:
    """Return the clinic whose shelf the user may change (its clinic admins: SettingsRefused
    for another clinician of the clinic, 404 for anyone else)."""
    return get_admin_clinic(user)


def get_shelf_page_for_admin(
    user: User, page_id: uuid.UUID | str, *, for_update: bool = False
) -> ShelfPage:
    """Return one page of the clinic the user administers (refused as `get_shelf_clinic_for_admin`
    says; another clinic's page is a 404)."""
    clinic = get_shelf_clinic_for_admin(user)
    pages = ShelfPage.objects.filter(clinic=clinic)
    if for_update:
        pages = pages.select_for_update()
    return get_or_404(pages, page_id)


def may_edit_shelf(user: User) -> bool:
    """Return whether the user may change the clinic's pages (to show the buttons)."""
    return clinic_id_of(user) is not None and user.is_clinic_admin


def pages_to_give(couple: Couple) -> QuerySet[ShelfPage]:
    """Return the pages a clinician on the case may give to its partners: its clinic's
    published pages (never another clinic's, never an unpublished draft)."""
    return ShelfPage.objects.filter(clinic_id=couple.clinic_id, published=True)


# --- Clinicians: the assignments of a case -----------------------------------------------------


def page_assignments_for_clinician(user: User) -> QuerySet[PageAssignment]:
    """Return the assignments of the cases the clinician reaches, in their clinic only."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        return PageAssignment.objects.none()
    return PageAssignment.objects.filter(
        page__clinic_id=clinic_id, couple__in=couples_for_clinician(user).values("id")
    )


def page_assignments_of_case(user: User, couple: Couple) -> QuerySet[PageAssignment]:
    """Return one case's assignments the clinician may see (none if they may not)."""
    return page_assignments_for_clinician(user).filter(couple_id=couple.pk)


def get_page_assignment_of_case(
    user: User, couple_id: uuid.UUID | str, assignment_id: uuid.UUID | str
) -> PageAssignment:
    """Return one assignment of this case, or raise Http404."""
    assignments = page_assignments_for_clinician(user).select_related("couple", "page")
    return get_or_404(assignments, assignment_id, couple_id=couple_id)


# --- Partners ----------------------------------------------------------------------------------


def page_assignments_visible_to_partner(partner: Partner) -> QuerySet[PageAssignment]:
    """Return the assignments the partner may read (the table above), newest first."""
    return (
        PageAssignment.objects.filter(
            couple_id=partner.couple_id,
            page__clinic_id=partner.couple.clinic_id,
            page__published=True,
            withdrawn_at__isnull=True,
        )
        .filter(Q(partner__isnull=True) | Q(partner_id=partner.pk))
        .select_related("page")
        .order_by("-assigned_at")
    )


def get_page_assignment_for_partner(
    partner: Partner, assignment_id: uuid.UUID | str
) -> PageAssignment:
    """Return one assignment the partner may read, or raise Http404 (no probing)."""
    return get_or_404(page_assignments_visible_to_partner(partner), assignment_id)
