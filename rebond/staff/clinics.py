"""Create a clinic and invite its first clinic admin: what `rebond clinic create` does.

The server's operator runs it; the operator gets no account and no access to anything. The
first admin's account exists from then on, but reaches nothing until they have used the
link, set a password and confirmed an authenticator app (rebond/staff/views.py). The
clinic, the account and the invitation are made in one transaction: a refusal leaves nothing.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from rebond import audit
from rebond.accounts.models import Clinic, User
from rebond.lib.text import has_bidi_controls
from rebond.shelf.actions import install_starter_pages
from rebond.staff import invitations
from rebond.staff.models import Invitation

NAME_MAX_LENGTH = 200  # Clinic.name
SLUG_MAX_LENGTH = 60  # Clinic.slug
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision (GB-SCT, ES-CT).
_JURISDICTION = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
FIRST_ADMIN_ROLES = frozenset({User.Role.CLINIC_ADMIN.value})


@dataclass(frozen=True)
class ClinicDraft:
    """What the operator typed, checked by `check_*` below before anything is written."""

    name: str
    slug: str
    admin_email: str
    admin_name: str
    timezone: str
    jurisdiction: str
    admin_roles: frozenset[str] = FIRST_ADMIN_ROLES


@dataclass(frozen=True)
class CreatedClinic:
    clinic: Clinic
    invitation: Invitation
    link: str


def create_clinic(draft: ClinicDraft) -> CreatedClinic:
    """Create the clinic and its first admin's invitation; e-mail and return the link.

    Raise ValidationError (one message, naming the problem) if any value is not acceptable
    or the slug or e-mail address is taken; then nothing is created.
    """
    name = check_name(draft.name)
    slug = check_slug(draft.slug)
    timezone = check_timezone(draft.timezone)
    jurisdiction = check_jurisdiction(draft.jurisdiction)
    if User.Role.CLINIC_ADMIN not in draft.admin_roles:
        raise ValidationError("The first clinician of a clinic must be its clinic admin.")
    try:
        with transaction.atomic():
            clinic = Clinic.objects.create(
                name=name, slug=slug, timezone=timezone, jurisdiction=jurisdiction
            )
            audit.start_chain(clinic.pk)
            invitation, link = invitations.invite(
                clinic,
                email=draft.admin_email,
                display_name=draft.admin_name,
                roles=set(draft.admin_roles),
                invited_by=None,
            )
            # A new clinic starts with Rebond's starter reading pages, its to edit.
            install_starter_pages(clinic)
    except IntegrityError:
        # Another clinic took the slug between the check and the insert.
        raise ValidationError(slug_taken(slug)) from None
    return CreatedClinic(clinic, invitation, link)


def slug_taken(slug: str) -> str:
    return f"The address name {slug!r} is already used by another clinic on this server."


def check_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValidationError("The clinic needs a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"A clinic's name has at most {NAME_MAX_LENGTH} characters.")
    if has_bidi_controls(name):
        raise ValidationError("Remove the invisible text-direction characters from the name.")
    return name


def propose_slug(name: str) -> str:
    """Return an address name made from the clinic's name: "Harbour Couples" -> harbour-couples."""
    return slugify(name)[:SLUG_MAX_LENGTH].strip("-")


def check_slug(value: str) -> str:
    slug = value.strip()
    if not _SLUG.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError(
            f"{slug!r} cannot be the clinic's address name: use lower-case letters, digits and"
            f" single hyphens (for example harbour-couples), at most {SLUG_MAX_LENGTH} characters."
        )
    if Clinic.objects.filter(slug=slug).exists():
        raise ValidationError(slug_taken(slug))
    return slug


def check_timezone(value: str) -> str:
    zone = value.strip()
    if zone not in zoneinfo.available_timezones():
        raise ValidationError(
            f"Unknown time zone {zone!r}: use a name of the tz database, such as Europe/Madrid"
            " or America/Los_Angeles."
        )
    return zone


def check_jurisdiction(value: str) -> str:
    """Return the country (or region) code, upper case; empty means not set."""
    code = value.strip().upper()
    if code and not _JURISDICTION.fullmatch(code):
        raise ValidationError(
            f"{value.strip()!r} is not a country code: use the two-letter ISO code, such as ES"
            " or GB (or a region, such as GB-SCT)."
        )
    return code


def check_email(value: str) -> str:
    """Return the address, normalised; raise ValidationError if invalid or already an account's."""
    try:
        email = invitations.clean_email(value)
    except ValidationError as error:
        raise ValidationError(error.messages[0]) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"{email} already belongs to an account on this server.")
    return email


def propose_admin_name(email: str) -> str:
    """Return a name made from an address: "ana.garcia@…" -> "Ana Garcia"."""
    local = email.partition("@")[0]
    return " ".join(part.capitalize() for part in re.split(r"[._+-]+", local) if part) or local


def country_of(timezone: str) -> str:
    """Return the country code of a time zone (from the tz database's zone.tab), or ""."""
    return _zone_countries().get(timezone, "")


@cache
def _zone_countries() -> dict[str, str]:
    text = _zone_tab()
    countries = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            countries[fields[2]] = fields[0]
    return countries


def _zone_tab() -> str:
    """Return zone.tab from the system's tz database, else from the tzdata package."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""
