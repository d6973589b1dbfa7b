"""The access gateway: clinic first, then the clinician's own cases; nothing else leaks."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from rebond import access
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
    names = {p.display_name for p in access.partners_for_clinician(alice)}
    assert names == {"Ann", "Ben"}
    assert not access.partners_for_clinician(bob).exists()
    assert Partner.objects.filter(couple=couple).count() == 2


def make_injury(couple, *, disclosure: str, reported_by=None, by: User, **extra):  # type: ignore[no-untyped-def]
    from rebond.couples.models import Injury

    a, b = couple.partners.all()
    return Injury.objects.create(
        couple=couple,
        category=extra.pop("category", Injury.Category.INFIDELITY),
        subtype=extra.pop("subtype", Injury.Subtype.EMOTIONAL_AFFAIR),
        hurt_partner=a,
        hurtful_partner=b,
        reported_by=reported_by,
        disclosure_state=disclosure,
        created_by=by,
        **extra,
    )


def test_a_partner_sees_an_injury_only_when_both_know_and_it_is_shared_with_them(
    alice: User,
) -> None:
    from rebond.couples.models import Injury

    couple = make_couple(alice)
    a, b = couple.partners.all()  # a is the hurt partner, b the hurtful one
    both = {"shared_with_hurt_partner": True, "shared_with_hurtful_partner": True}
    private = make_injury(
        couple, disclosure=Injury.Disclosure.DISCLOSED_PRIVATELY, reported_by=b, by=alice, **both
    )
    planned = make_injury(
        couple, disclosure=Injury.Disclosure.FACILITATED_DISCLOSURE_PLANNED, by=alice, **both
    )
    unshared = make_injury(couple, disclosure=Injury.Disclosure.KNOWN_TO_BOTH, by=alice)
    to_a = make_injury(
        couple,
        disclosure=Injury.Disclosure.DISCLOSED_IN_SESSION,
        by=alice,
        shared_with_hurt_partner=True,
    )
    to_both = make_injury(couple, disclosure=Injury.Disclosure.KNOWN_TO_BOTH, by=alice, **both)
    threat = make_injury(
        couple,
        disclosure=Injury.Disclosure.KNOWN_TO_BOTH,
        by=alice,
        category=Injury.Category.SAFETY_THREAT,
        subtype=Injury.Subtype.PHYSICAL_ABUSE,
        **both,
    )
    assert set(access.injuries_visible_to_partner(a)) == {to_a, to_both, threat}
    # The reporter of a private disclosure is not shown it; the hurtful partner never the threat.
    assert set(access.injuries_visible_to_partner(b)) == {to_both}
    # Clinicians on the case see every one.
    assert set(access.injuries_for_clinician(alice)) == {
        private,
        planned,
        unshared,
        to_a,
        to_both,
        threat,
    }


def test_a_partner_never_sees_another_couples_injuries(alice: User) -> None:
    from rebond.couples.models import Injury

    ours, theirs = make_couple(alice, "Ours"), make_couple(alice, "Theirs")
    make_injury(theirs, disclosure=Injury.Disclosure.KNOWN_TO_BOTH, by=alice)
    assert not access.injuries_visible_to_partner(ours.partners.first()).exists()  # type: ignore[arg-type]


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_every_single_row_fetch_is_a_404_off_the_case(
    alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    from rebond.couples.models import (
        ConsentDocument,
        ConsentRecord,
        ContactChannel,
        Injury,
    )

    couple = make_couple(alice)
    partner = couple.partners.first()
    assert partner is not None
    channel = ContactChannel.objects.create(partner=partner, kind="email", value="a@example.test")
    consent = ConsentRecord.objects.create(
        partner=partner,
        document=ConsentDocument.objects.get(kind="treatment", version="1"),
        document_sha256="x",
        captured_by="self",
    )
    injury = make_injury(couple, disclosure=Injury.Disclosure.KNOWN_TO_BOTH, by=alice)
    other: User = request.getfixturevalue(persona)
    for fetch, object_id in (
        (access.get_partner_for_clinician, partner.id),
        (access.get_channel_for_clinician, channel.id),
        (access.get_consent_for_clinician, consent.id),
        (access.get_injury_for_clinician, injury.id),
    ):
        with pytest.raises(Http404):
            fetch(other, object_id)
        assert fetch(alice, object_id).pk == object_id
