"""`rebond clinic create|invite-admin`: start a practice on this server, from nothing.

- `create --name NAME --slug SLUG --admin-email EMAIL [--admin-name NAME] [--admin-roles
  ROLES] [--timezone ZONE] [--jurisdiction CODE]` creates a clinic and invites its first
  clinic admin: it prints the link with which they set their password and authenticator app
  (it works once, for 72 hours) and e-mails it to them. Run in a terminal without --name or
  --admin-email, it asks for each value in turn, proposing a default where it can.
- `invite-admin --slug SLUG --email EMAIL [--name NAME]` gives a clinic admin a new link: the
  same person again when their invitation was lost or expired, or a new admin when the
  first one left.

Neither gives the operator an account or access to anything; both are audited with the host
user who ran them (rebond/audit/operations.py). A refused value exits with status 1 and one
line naming the problem; nothing is created.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.accounts.models import Clinic, User
from rebond.staff import clinics, invitations
from rebond.staff.models import Invitation

T = TypeVar("T")
ROLE_NAMES = ", ".join(invitations.ROLE_FLAGS)


def parse_roles(value: str) -> frozenset[str]:
    """Return the roles of a comma-separated list; raise ValidationError for an unknown one."""
    roles = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = sorted(roles - set(invitations.ROLE_FLAGS))
    if unknown:
        raise ValidationError(f"Unknown role {', '.join(unknown)}: use {ROLE_NAMES}.")
    return roles


class Command(BaseCommand):
    help = "Create a clinic and invite its first clinic admin, or invite an admin again."
    # Tests hand the command a terminal-like stdin (Django's createsuperuser does the same).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="create|invite-admin")
        create = sub.add_parser("create", help="Create a clinic and invite its first admin.")
        create.add_argument("--name", help="The clinic's name, as its people and clients see it.")
        create.add_argument("--slug", help="Its address name, e.g. harbour-couples (/c/SLUG/…).")
        create.add_argument("--admin-email", help="E-mail address of its first clinic admin.")
        create.add_argument("--admin-name", help="Their name (default: from the address).")
        create.add_argument(
            "--admin-roles",
            help=f"Their roles, comma-separated ({ROLE_NAMES}); default clinic_admin. A solo"
            " practitioner gives clinic_admin,therapist,safety_lead.",
        )
        create.add_argument(
            "--timezone", help="Time zone, e.g. Europe/Madrid (default: TIME_ZONE)."
        )
        create.add_argument(
            "--jurisdiction", help="Country code, e.g. ES (default: the time zone's country)."
        )
        invite = sub.add_parser("invite-admin", help="Send a clinic admin a new invitation link.")
        invite.add_argument("--slug", required=True, help="The clinic's address name.")
        invite.add_argument("--email", required=True, help="The admin's e-mail address.")
        invite.add_argument(
            "--name", help="Their name, for a new admin (default: from the address)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdin: TextIO = options.get("stdin") or sys.stdin
        try:
            if options["subcommand"] == "create":
                self.create(options)
            else:
                self.invite_admin(options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    # --- create --------------------------------------------------------------------------
    def create(self, options: dict[str, Any]) -> None:
        interactive = not (options["name"] and options["admin_email"])
        if interactive and not self.stdin.isatty():
            missing = [
                f for f in ("--name", "--admin-email") if not options[f[2:].replace("-", "_")]
            ]
            raise CommandError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} needed (or run"
                " the command in a terminal to be asked for each value)."
            )
        draft = self.ask_for_draft(options) if interactive else self.draft_from(options)
        created = clinics.create_clinic(draft)
        clinic = created.clinic
        self.stdout.write(
            f'Created the clinic "{clinic.name}" ({clinic.slug}), time zone {clinic.timezone},'
            f" jurisdiction {clinic.jurisdiction or 'not set (give --jurisdiction to set it)'}."
        )
        self.report_link(created.invitation, created.link, first=True)

    def draft_from(self, options: dict[str, Any]) -> clinics.ClinicDraft:
        """Check the options given on the command line, defaulting those left out."""
        name = clinics.check_name(options["name"])
        timezone = clinics.check_timezone(options["timezone"] or settings.TIME_ZONE)
        email = clinics.check_email(options["admin_email"])
        # The time zone's country when it names one; otherwise left unset (nothing depends on
        # it yet), so the bare `--name --slug --admin-email` form works on a server at UTC.
        jurisdiction = options["jurisdiction"] or clinics.country_of(timezone) or ""
        return clinics.ClinicDraft(
            name=name,
            slug=clinics.check_slug(options["slug"] or clinics.propose_slug(name)),
            admin_email=email,
            admin_name=options["admin_name"] or clinics.propose_admin_name(email),
            admin_roles=parse_roles(options["admin_roles"] or User.Role.CLINIC_ADMIN),
            timezone=timezone,
            jurisdiction=clinics.check_jurisdiction(jurisdiction),
        )

    def ask_for_draft(self, options: dict[str, Any]) -> clinics.ClinicDraft:
        """Ask for each value not given, proposing a default; ask again after a refusal."""
        name = self.ask("Clinic name", options["name"], None, clinics.check_name)
        slug = self.ask(
            "Address name (slug)", options["slug"], clinics.propose_slug(name), clinics.check_slug
        )
        email = self.ask("First admin's e-mail", options["admin_email"], None, clinics.check_email)
        admin_name = self.ask(
            "First admin's name",
            options["admin_name"],
            clinics.propose_admin_name(email),
            invitations.clean_display_name,
        )
        roles = self.ask(
            f"Their roles ({ROLE_NAMES})",
            options["admin_roles"],
            User.Role.CLINIC_ADMIN.value,
            _admin_roles,
        )
        timezone = self.ask(
            "Time zone", options["timezone"], settings.TIME_ZONE, clinics.check_timezone
        )
        jurisdiction = self.ask(
            "Country code (jurisdiction)",
            options["jurisdiction"],
            clinics.country_of(timezone) or None,
            clinics.check_jurisdiction,
        )
        return clinics.ClinicDraft(
            name=name,
            slug=slug,
            admin_email=email,
            admin_name=admin_name,
            admin_roles=roles,
            timezone=timezone,
            jurisdiction=jurisdiction,
        )

    def ask(
        self,
        label: str,
        given: str | None,
        default: str | None,
        check: Callable[[str], T],
    ) -> T:
        """Return the checked value given as an option, or typed (Enter takes the default)."""
        if given:
            return check(given)
        prompt = f"{label} [{default}]: " if default else f"{label}: "
        while True:
            self.stdout.write(prompt, ending="")
            self.stdout.flush()
            line = self.stdin.readline()
            if not line:  # end of input: nothing more will come
                raise CommandError(f"No value for {label.lower()}; nothing was created.")
            value = line.strip() or (default or "")
            try:
                return check(value)
            except ValidationError as error:
                self.stderr.write(f"  {' '.join(_messages(error))}")

    # --- invite-admin --------------------------------------------------------------------
    def invite_admin(self, options: dict[str, Any]) -> None:
        clinic = Clinic.objects.filter(slug=options["slug"].strip()).first()
        if clinic is None:
            raise CommandError(f"No clinic has the address name {options['slug']!r}.")
        email = invitations.clean_email(options["email"])
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            invitation, link = invitations.invite(
                clinic,
                email=email,
                display_name=options["name"] or clinics.propose_admin_name(email),
                roles={User.Role.CLINIC_ADMIN},
                invited_by=None,
            )
            self.report_link(invitation, link, first=False)
            return
        if user.clinic_id != clinic.pk:
            raise CommandError(f"{email} belongs to an account of another clinic on this server.")
        if user.has_usable_password():
            raise CommandError(
                f"{email} has already set up their account: they log in as usual. A lost"
                " authenticator app is reset by another clinic admin, or with a recovery code."
            )
        if not user.is_clinic_admin:
            raise CommandError(
                f"{email} was invited by the clinic as a clinician, not as a clinic admin: ask"
                " the clinic's admin to send that invitation again."
            )
        pending = invitations.pending_for(clinic).filter(user=user).first()
        if pending is not None:
            link = invitations.renew(pending, by=None)
            pending.refresh_from_db()
            self.report_link(pending, link, first=False)
            return
        # Their invitations were all cancelled: invite them again on the same account.
        invitation, link = invitations.invite(
            clinic,
            email=email,
            display_name=options["name"] or user.display_name,
            roles={User.Role.CLINIC_ADMIN},
            invited_by=None,
        )
        self.report_link(invitation, link, first=False)

    # --- output --------------------------------------------------------------------------
    def report_link(self, invitation: Invitation, link: str, *, first: bool) -> None:
        invitation.refresh_from_db()
        user = invitation.user
        who = "Its first clinic admin" if first else "The clinic admin"
        self.stdout.write(
            f"\n{who}, {user.display_name} <{user.email}>, sets up their account with this"
            f" link. It works once, until {invitations.local_expiry(invitation)}:\n\n"
            f"  {link}\n\n"
        )
        if invitation.emailed_at is not None:
            self.stdout.write(f"The link was also e-mailed to {user.email}.")
        else:
            self.stdout.write(
                f"The e-mail to {user.email} could not be sent: give them the link yourself,"
                " by a way only they read."
            )
        self.stdout.write(
            "Until they have set their password and authenticator app, their account opens"
            " nothing. For a new link: rebond clinic invite-admin --slug"
            f" {invitation.clinic.slug} --email {user.email}"
        )


def _admin_roles(value: str) -> frozenset[str]:
    roles = parse_roles(value)
    if User.Role.CLINIC_ADMIN not in roles:
        raise ValidationError("The first clinician of a clinic must be its clinic admin.")
    return roles


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)
