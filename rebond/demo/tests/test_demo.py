"""`rebond demo` builds a synthetic practice, idempotently, and refuses production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, TOTPDevice, User
from rebond.couples.models import Couple, Partner
from rebond.demo.practice import DEMO_PASSWORD, DEMO_TOTP_SECRET

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


def test_demo_clinicians_have_a_confirmed_app_with_the_published_demo_seed() -> None:
    run_demo()
    for user in User.objects.all():
        assert user.totp_device.confirmed
        assert user.totp_device.secret == DEMO_TOTP_SECRET


def test_demo_code_prints_the_current_code_of_every_demo_clinician() -> None:
    run_demo()
    out = StringIO()
    call_command("demo", "--code", stdout=out)
    code = mfa.current_code(DEMO_TOTP_SECRET)
    assert out.getvalue().count(f"code: {code}") == 2
    assert "therapist@demo.rebond.test" in out.getvalue()


def test_the_printed_demo_code_lets_the_demo_clinician_in() -> None:
    run_demo()
    out = StringIO()
    call_command("demo", "--code", "therapist@demo.rebond.test", stdout=out)
    code = out.getvalue().split("code: ")[1].strip()
    client = Client()
    client.post(
        reverse("login"), {"username": "therapist@demo.rebond.test", "password": DEMO_PASSWORD}
    )
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    assert client.get(reverse("caseload")).status_code == 200


def test_demo_code_refuses_any_account_that_is_not_a_demo_account(alice: User) -> None:
    run_demo()
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo", "--code", alice.email, stdout=StringIO())
    # Not even a clinician of the demo clinic whose app has its own seed.
    therapist = User.objects.get(email="therapist@demo.rebond.test")
    device = TOTPDevice.objects.get(user=therapist)
    device.secret = mfa.new_secret()
    device.save(update_fields=["secret"])
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo", "--code", therapist.email, stdout=StringIO())
