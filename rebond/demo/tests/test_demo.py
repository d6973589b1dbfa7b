"""`rebond demo` builds a synthetic practice, idempotently, and refuses production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple, Partner
from rebond.demo.practice import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--force", stdout=out)
    return out.getvalue()


def test_it_builds_a_clinic_two_clinicians_and_a_few_couples() -> None:
    output = run_demo()
    assert Clinic.objects.count() == 1
    assert User.objects.count() == 2
    assert Couple.objects.count() >= 3
    # Every couple has exactly two partners, A and B.
    for couple in Couple.objects.all():
        assert sorted(couple.partners.values_list("role", flat=True)) == ["A", "B"]
    assert "therapist@demo.rebond.test" in output
    assert DEMO_PASSWORD in output


def test_it_is_idempotent() -> None:
    run_demo()
    counts = (
        Clinic.objects.count(),
        User.objects.count(),
        Couple.objects.count(),
        Partner.objects.count(),
    )
    run_demo()
    assert counts == (
        Clinic.objects.count(),
        User.objects.count(),
        Couple.objects.count(),
        Partner.objects.count(),
    )


def test_the_printed_logins_work() -> None:
    run_demo()
    assert authenticate(email="therapist@demo.rebond.test", password=DEMO_PASSWORD) is not None


def test_it_refuses_to_run_without_debug_unless_forced(settings: object) -> None:
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("demo", stdout=StringIO())
