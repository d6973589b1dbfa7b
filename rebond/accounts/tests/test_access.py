"""The access gateway: clinic first, then the clinician's own cases; nothing else leaks."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from rebond.accounts import access
from rebond.accounts.models import User
from rebond.couples.models import Partner
from rebond.test import make_clinician, make_couple

pytestmark = pytest.mark.django_db


def test_it_returns_the_clinicians_own_cases(alice: User, bob: User) -> None:
    mine = make_couple(alice, "Mine")
    make_couple(bob, "Bob's")
    assert list(access.couples_for_clinician(alice)) == [mine]


def test_it_hides_a_colleagues_cases_within_the_clinic(alice: User, bob: User) -> None:
    make_couple(alice)
    assert list(access.couples_for_clinician(bob)) == []


def test_it_hides_every_case_of_another_clinic(alice: User, charlie: User) -> None:
    couple = make_couple(alice)
    assert list(access.couples_for_clinician(charlie)) == []
    assert list(access.partners_for_clinician(charlie)) == []
    with pytest.raises(Http404):
        access.get_couple_for_clinician(charlie, couple.id)


def test_the_clinic_filter_holds_even_if_an_outsider_is_wrongly_put_on_a_case(
    alice: User, charlie: User
) -> None:
    # A misconfigured case listing a clinician of another clinic still reveals nothing:
    # the clinic filter comes before, and independently of, case membership.
    couple = make_couple(alice)
    couple.co_clinicians.add(charlie)
    couple.supervisor = charlie
    couple.save(update_fields=["supervisor"])
    assert list(access.couples_for_clinician(charlie)) == []


def test_co_clinicians_and_the_assigned_supervisor_see_the_case(alice: User, bob: User) -> None:
    couple = make_couple(alice)
    supervisor = make_clinician(alice.clinic, "Sue Supervisor", is_supervisor=True)
    couple.co_clinicians.add(bob)
    couple.supervisor = supervisor
    couple.save(update_fields=["supervisor"])
    assert list(access.couples_for_clinician(bob)) == [couple]
    assert list(access.couples_for_clinician(supervisor)) == [couple]


def test_a_supervisor_sees_only_the_cases_they_are_assigned(alice: User) -> None:
    make_couple(alice)
    supervisor = make_clinician(alice.clinic, "Sue Supervisor", is_supervisor=True)
    assert list(access.couples_for_clinician(supervisor)) == []


def test_being_clinic_admin_grants_no_clinical_access(alice: User) -> None:
    make_couple(alice)
    admin = make_clinician(alice.clinic, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    assert list(access.couples_for_clinician(admin)) == []


def test_a_clinician_on_the_case_twice_gets_it_once(alice: User) -> None:
    couple = make_couple(alice)
    couple.co_clinicians.add(alice)
    couple.supervisor = alice
    couple.save(update_fields=["supervisor"])
    assert list(access.couples_for_clinician(alice)) == [couple]


def test_a_deactivated_clinician_sees_nothing(alice: User) -> None:
    make_couple(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert list(access.couples_for_clinician(alice)) == []


def test_an_operator_without_a_clinic_sees_nothing(alice: User) -> None:
    make_couple(alice)
    operator = User.objects.create_superuser("ops@example.test", "x" * 20, display_name="Ops")
    assert list(access.couples_for_clinician(operator)) == []


def test_an_anonymous_user_sees_nothing(alice: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    make_couple(alice)
    assert list(access.couples_for_clinician(AnonymousUser())) == []  # type: ignore[arg-type]


def test_an_unknown_or_malformed_id_is_a_404_like_any_other(alice: User) -> None:
    with pytest.raises(Http404):
        access.get_couple_for_clinician(alice, uuid.uuid4())
    with pytest.raises(Http404):
        access.get_couple_for_clinician(alice, "not-a-uuid")


def test_partners_follow_their_couples_visibility(alice: User, bob: User) -> None:
    couple = make_couple(alice, partners=("Ann", "Ben"))
    names = set(access.partners_for_clinician(alice).values_list("display_name", flat=True))
    assert names == {"Ann", "Ben"}
    assert not access.partners_for_clinician(bob).exists()
    assert Partner.objects.filter(couple=couple).count() == 2
