"""Who sees what of the reading shelf (rebond/access/shelf.py), every state by every role:
partner A, partner B, the case's therapist and supervisor, a colleague off the case, the clinic
admin and a clinician of another clinic. A partner never sees a page given only to the other,
nor a withdrawn or unpublished one, in the list or by its address."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from rebond import access
from rebond.shelf.tests.helpers import ShelfWorld, build

pytestmark = pytest.mark.django_db

# Which assignments each partner may read (the table in rebond/access/shelf.py).
PARTNER_SEES = {
    "a": {"A", "both"},
    "b": {"B", "both"},
}


@pytest.fixture
def world() -> ShelfWorld:
    return build()


@pytest.mark.parametrize("who", ["a", "b"])
def test_a_partner_sees_only_what_was_given_to_them_or_to_both(world: ShelfWorld, who: str) -> None:
    partner = getattr(world, who)
    visible = {a.id for a in access.page_assignments_visible_to_partner(partner)}
    expected = {world.given[key].id for key in PARTNER_SEES[who]}
    assert visible == expected
    for key, assignment in world.given.items():
        if key in PARTNER_SEES[who]:
            assert access.get_page_assignment_for_partner(partner, assignment.id) == assignment
        else:
            with pytest.raises(Http404):
                access.get_page_assignment_for_partner(partner, assignment.id)


def test_a_partner_of_another_couple_sees_nothing_of_this_one(world: ShelfWorld) -> None:
    from rebond.test import make_couple

    other = make_couple(world.therapist, "Other case").partners.get(role="A")
    assert not access.page_assignments_visible_to_partner(other).exists()
    for assignment in world.given.values():
        with pytest.raises(Http404):
            access.get_page_assignment_for_partner(other, assignment.id)


def test_publishing_again_shows_the_page_again_and_withdrawn_stays_hidden(
    world: ShelfWorld,
) -> None:
    from rebond.shelf import actions

    actions.set_page_published(world.admin, world.pages["unpublished"].id, published=True)
    for partner in (world.a, world.b):
        visible = {a.id for a in access.page_assignments_visible_to_partner(partner)}
        assert world.given["unpublished"].id in visible
        assert world.given["withdrawn"].id not in visible


def test_every_clinician_of_the_clinic_reads_its_pages_and_nobody_else(world: ShelfWorld) -> None:
    every_page = {p.id for p in world.pages.values()}
    for user in (world.admin, world.therapist, world.supervisor, world.colleague):
        assert {p.id for p in access.shelf_pages_for_clinician(user)} == every_page
        assert access.get_shelf_page_for_clinician(user, world.pages["A"].id) == world.pages["A"]
    assert not access.shelf_pages_for_clinician(world.outsider).exists()
    with pytest.raises(Http404):
        access.get_shelf_page_for_clinician(world.outsider, world.pages["A"].id)


def test_only_the_clinic_admin_changes_pages(world: ShelfWorld) -> None:
    assert access.get_shelf_page_for_admin(world.admin, world.pages["A"].id) == world.pages["A"]
    for user in (world.therapist, world.supervisor, world.colleague):
        assert not access.may_edit_shelf(user)
        with pytest.raises(PermissionDenied):  # 403 naming who can (SettingsRefused)
            access.get_shelf_page_for_admin(user, world.pages["A"].id)
    # Another clinic's clinician is refused as at their own clinic (403 naming their admins);
    # another clinic's admin finds no such page (404).
    with pytest.raises(PermissionDenied):
        access.get_shelf_page_for_admin(world.outsider, world.pages["A"].id)
    world.outsider.is_clinic_admin = True
    world.outsider.save()
    with pytest.raises(Http404):
        access.get_shelf_page_for_admin(world.outsider, world.pages["A"].id)


def test_the_case_assignments_are_its_clinicians_only(world: ShelfWorld) -> None:
    every = {a.id for a in world.given.values()}
    for user in (world.therapist, world.supervisor):
        assert {a.id for a in access.page_assignments_of_case(user, world.couple)} == every
        assignment = access.get_page_assignment_of_case(user, world.couple.id, world.given["A"].id)
        assert assignment == world.given["A"]
    for user in (world.colleague, world.admin, world.outsider):
        assert not access.page_assignments_of_case(user, world.couple).exists()
        with pytest.raises(Http404):
            access.get_page_assignment_of_case(user, world.couple.id, world.given["A"].id)


def test_only_published_pages_of_the_case_clinic_may_be_given(world: ShelfWorld) -> None:
    from rebond.shelf.tests.helpers import page

    other_admin = world.outsider
    other_admin.is_clinic_admin = True
    other_admin.save()
    elsewhere = page(other_admin, "Another clinic's page")
    givable = set(access.pages_to_give(world.couple))
    assert world.pages["draft"] not in givable
    assert world.pages["unpublished"] not in givable
    assert elsewhere not in givable
    assert world.pages["A"] in givable
