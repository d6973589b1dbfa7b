"""`rebond clinic create` and `rebond clinic invite-admin`, run through the `rebond` entry point
(rebond/cli.py) on an empty database: the clinic, its first admin's account (which opens
nothing) and a link that works; a second clinic the same way; one-line refusals that create
nothing; the interactive form; every creation audited as the host user."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond import cli
from rebond.accounts.models import Clinic, TOTPDevice, User
from rebond.audit.models import AuditEntry
from rebond.audit.operations import operator_label
from rebond.staff import invitations
from rebond.staff.models import Invitation
from rebond.test import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"^  (http://127\.0\.0\.1:8000/enrol/[A-Za-z0-9_-]{43}/)$", re.MULTILINE)
HARBOUR = [
    "clinic", "create", "--name", "Harbour Couples", "--slug", "harbour",
    "--admin-email", "ana.garcia@example.org", "--timezone", "Europe/Madrid",
]  # fmt: skip


class Terminal(io.StringIO):
    """Typed answers, one a line, on what the command takes for a terminal."""

    def isatty(self) -> bool:
        return True


def rebond(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: io.StringIO | None = None
) -> tuple[int, str, str]:
    """Run `rebond ARGS` in this process (the test database); return status, stdout, stderr."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", stdin or io.StringIO(""))
        try:
            status = cli.main(args)
        except SystemExit as exit:
            status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def footprint() -> tuple[int, int, int, int]:
    return (
        Clinic.objects.count(),
        User.objects.count(),
        Invitation.objects.count(),
        AuditEntry.objects.count(),
    )


def link_in(out: str) -> str:
    [link] = LINK.findall(out)
    return str(link)


def test_on_an_empty_database_it_creates_the_clinic_and_prints_a_link_that_works(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert footprint()[:3] == (0, 0, 0)
    status, out, err = rebond(HARBOUR, capsys)
    assert (status, err) == (0, "")

    clinic = Clinic.objects.get()
    assert (clinic.name, clinic.slug, clinic.timezone) == (
        "Harbour Couples",
        "harbour",
        "Europe/Madrid",
    )
    assert clinic.jurisdiction == "ES"  # the time zone's country
    # The operator gets nothing: the only account is the first admin's, and it opens nothing.
    admin = User.objects.get()
    assert admin.email == "ana.garcia@example.org"
    assert admin.display_name == "Ana Garcia"
    assert admin.clinic == clinic
    assert admin.roles == [User.Role.CLINIC_ADMIN]
    assert not admin.has_usable_password()
    assert not admin.is_staff
    assert not admin.is_superuser
    assert not TOTPDevice.objects.exists()
    assert not Client().login(username=admin.email, password="")

    invitation = Invitation.objects.get()
    assert invitation.invited_by is None
    expiry = invitations.local_expiry(invitation)
    assert expiry.endswith(("CET", "CEST"))
    assert f"It works once, until {expiry}:" in out
    assert 'Created the clinic "Harbour Couples" (harbour), time zone Europe/Madrid' in out
    link = link_in(out)
    assert invitations.find_usable(link.rstrip("/").rsplit("/", 1)[1]) == invitation
    # E-mailed to the admin as well, and the command says so.
    [message] = mail.outbox
    assert message.to == ["ana.garcia@example.org"]
    assert link in message.body
    assert "The link was also e-mailed to ana.garcia@example.org." in out
    # The link opens the password page.
    browser = Client()
    response = browser.get(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolment_password")
    assert browser.get(response["Location"]).status_code == 200

    # Audited as the host user who ran it (rebond/audit/operations.py sees the command).
    me = operator_label()
    entries = list(
        AuditEntry.objects.filter(actor_label=me).values_list("action", "object_id", "clinic_id")
    )
    assert ("clinic.create", str(clinic.pk), clinic.pk) in entries
    assert ("account.create", str(admin.pk), clinic.pk) in entries
    assert ("staff.invitation.create", str(invitation.pk), clinic.pk) in entries


def test_a_second_clinic_is_created_the_same_way_and_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert rebond(HARBOUR, capsys)[0] == 0
    status, out, _ = rebond(
        [
            "clinic", "create", "--name", "Pacific Couples Therapy",
            "--admin-email", "lee@example.com", "--admin-name", "Lee Park",
            "--admin-roles", "clinic_admin,therapist,safety_lead",
            "--timezone", "America/Los_Angeles",
        ],
        capsys,
    )  # fmt: skip
    assert status == 0
    pacific = Clinic.objects.get(slug="pacific-couples-therapy")  # proposed from the name
    assert pacific.jurisdiction == "US"
    lee = User.objects.get(email="lee@example.com")
    assert lee.clinic == pacific
    assert lee.display_name == "Lee Park"
    assert lee.roles == [User.Role.THERAPIST, User.Role.SAFETY_LEAD, User.Role.CLINIC_ADMIN]
    assert re.search(r"until \d\d \w{3} \d{4} \d\d:\d\d P[SD]T:", out)
    assert Clinic.objects.count() == 2
    assert Clinic.objects.get(clinicians__email="ana.garcia@example.org").slug == "harbour"


def test_the_bare_form_works_on_a_server_left_at_utc(
    capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    """Name, slug and e-mail are enough; a time zone naming no country leaves the country unset."""
    settings.TIME_ZONE = "UTC"
    args = ["clinic", "create", "--name", "Plain Practice", "--slug", "plain",
            "--admin-email", "pat@example.org"]  # fmt: skip
    status, out, err = rebond(args, capsys)
    assert (status, err) == (0, "")
    clinic = Clinic.objects.get()
    assert (clinic.slug, clinic.timezone, clinic.jurisdiction) == ("plain", "UTC", "")
    assert "jurisdiction not set (give --jurisdiction to set it)" in out
    assert link_in(out)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--slug": "harbour"}, "The address name 'harbour' is already used by another clinic"),
        ({"--slug": "Harbour Couples"}, "'Harbour Couples' cannot be the clinic's address name"),
        ({"--admin-email": "ana@"}, "ana@ is not a valid e-mail address."),
        ({"--admin-email": "ana.garcia@example.org"}, "already belongs to an account"),
        ({"--timezone": "Europe/Madird"}, "Unknown time zone 'Europe/Madird'"),
        ({"--jurisdiction": "Spain"}, "'Spain' is not a country code"),
        ({"--admin-roles": "therapist"}, "must be its clinic admin"),
        ({"--admin-roles": "clinic_admin,owner"}, "Unknown role owner"),
        ({"--name": ""}, "--name is needed (or run the command in a terminal"),
    ],
)
def test_a_refused_value_exits_non_zero_with_one_line_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], change: dict[str, str], message: str
) -> None:
    # The first clinic takes the slug "harbour" and Ana's address.
    assert rebond(HARBOUR, capsys)[0] == 0
    before = footprint()
    mail.outbox.clear()
    args = ["clinic", "create", "--name", "Second Practice", "--slug", "second",
            "--admin-email", "sam@example.org", "--timezone", "Europe/Madrid"]  # fmt: skip
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    status, _, err = rebond(args, capsys)
    assert status == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert footprint() == before
    assert mail.outbox == []


def test_a_taken_address_found_late_leaves_no_clinic_behind(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invitation is refused after the clinic row was written: the transaction undoes it."""
    assert rebond(HARBOUR, capsys)[0] == 0
    before = footprint()
    # Skip the command's early check of the address, as if the account appeared meanwhile.
    monkeypatch.setattr("rebond.staff.clinics.check_email", lambda value: value)
    status, _, err = rebond(
        ["clinic", "create", "--name", "Late", "--admin-email", "ana.garcia@example.org",
         "--timezone", "Europe/Madrid"],
        capsys,
    )  # fmt: skip
    assert status == 1
    assert invitations.TAKEN in err
    assert footprint() == before
    assert not Clinic.objects.filter(slug="late").exists()


def test_in_a_terminal_it_asks_for_each_value_and_asks_again_after_a_refusal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed = Terminal(
        "\n".join(
            [
                "  Harbour  Couples ",  # name
                "",  # slug: take the proposal
                "ana@",  # refused, asked again
                "Ana@Example.org",
                "Ana García",  # name
                "",  # roles: clinic_admin
                "Europe/Madird",  # refused, asked again
                "Europe/Madrid",
                "",  # jurisdiction: the proposed ES
            ]
        )
        + "\n"
    )
    status, out, err = rebond(["clinic", "create"], capsys, stdin=typed)
    assert status == 0, err
    assert "Clinic name: " in out
    assert "Address name (slug) [harbour-couples]: " in out
    assert "First admin's name [Ana]: " in out
    assert "Time zone [UTC]: " in out
    assert "Country code (jurisdiction) [ES]: " in out
    assert "ana@ is not a valid e-mail address." in err
    assert "Unknown time zone 'Europe/Madird'" in err
    clinic = Clinic.objects.get()
    assert (clinic.name, clinic.slug, clinic.timezone, clinic.jurisdiction) == (
        "Harbour Couples",
        "harbour-couples",
        "Europe/Madrid",
        "ES",
    )
    admin = User.objects.get()
    assert (admin.email, admin.display_name) == ("ana@example.org", "Ana García")
    assert link_in(out)


def test_in_a_terminal_the_end_of_input_stops_without_creating_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = rebond(["clinic", "create"], capsys, stdin=Terminal("Harbour\n"))
    assert status == 1
    assert "No value for address name (slug); nothing was created." in err
    assert footprint()[:3] == (0, 0, 0)


def test_invite_admin_gives_a_new_link_that_kills_the_old_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = rebond(HARBOUR, capsys)
    old = link_in(out)
    Invitation.objects.update(expires_at=now() - timedelta(hours=1))  # lost, and expired
    status, out, err = rebond(
        ["clinic", "invite-admin", "--slug", "harbour", "--email", "ana.garcia@example.org"],
        capsys,
    )
    assert (status, err) == (0, "")
    new = link_in(out)
    assert new != old
    assert Invitation.objects.count() == 1
    token = new.rstrip("/").rsplit("/", 1)[1]
    assert invitations.find_usable(token) is not None
    assert invitations.find_usable(old.rstrip("/").rsplit("/", 1)[1]) is None
    assert AuditEntry.objects.filter(
        action="staff.invitation.resend", actor_label=operator_label()
    ).exists()


def test_invite_admin_invites_a_new_admin_when_the_first_one_left(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rebond(HARBOUR, capsys)
    ana = User.objects.get()
    ana.set_password(PASSWORD)
    ana.is_active = False  # she enrolled, then left the practice
    ana.save()
    status, out, _ = rebond(
        ["clinic", "invite-admin", "--slug", "harbour", "--email", "ben@example.org",
         "--name", "Ben Ortiz"],
        capsys,
    )  # fmt: skip
    assert status == 0
    ben = User.objects.get(email="ben@example.org")
    assert ben.is_clinic_admin
    assert ben.clinic == Clinic.objects.get()
    assert "The clinic admin, Ben Ortiz <ben@example.org>" in out
    # Ana herself cannot be given a link: her account is set up (and another admin's matter).
    status, _, err = rebond(
        ["clinic", "invite-admin", "--slug", "harbour", "--email", ana.email], capsys
    )
    assert status == 1
    assert "has already set up their account" in err
    status, _, err = rebond(
        ["clinic", "invite-admin", "--slug", "nowhere", "--email", "x@example.org"], capsys
    )
    assert status == 1
    assert "No clinic has the address name 'nowhere'." in err
