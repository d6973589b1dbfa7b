"""The reading shelf's use cases: a clinic admin writes, changes, publishes and unpublishes
pages (and adds Rebond's starter pages); a clinician on a case gives a published page to
partner A, partner B or both, and withdraws it; a partner's first reading is recorded.

Each checks access through rebond.access, writes and audits in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.audit.updates import audited_update
from rebond.couples.models import Partner
from rebond.lib.errors import ActionError
from rebond.lib.text import has_bidi_controls, normalise_line_breaks
from rebond.shelf.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, PageAssignment, ShelfPage

# English at the top; a translated set in a folder named by its language (starter/es/*.md),
# with the same file names: the file name is the page's starter key in every language.
STARTER_DIR = Path(__file__).resolve().parent / "starter"

# Whom a page is given to, as the form names it.
TO_A = "A"
TO_B = "B"
TO_BOTH = "both"
RECIPIENTS = (TO_A, TO_B, TO_BOTH)


@dataclass(frozen=True)
class PageDraft:
    title: str
    body: str
    published: bool = False


def _checked(draft: PageDraft) -> tuple[str, str]:
    """Return the draft's title and body as stored, or refuse them (the form's own rules, for
    callers other than the form)."""
    title = draft.title.strip()
    body = normalise_line_breaks(draft.body).strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the page a title.")]
    elif len(title) > TITLE_MAX_LENGTH or "\n" in title or has_bidi_controls(title):
        errors["title"] = [
            _("Use one line of at most %(max)s characters.") % {"max": TITLE_MAX_LENGTH}
        ]
    if not body:
        errors["body"] = [_("Write the page.")]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [_("Keep the page under %(max)s characters.") % {"max": BODY_MAX_LENGTH}]
    if errors:
        raise ActionError(_("Please correct the page."), errors, HTTPStatus.UNPROCESSABLE_ENTITY)
    return title, body


# --- Pages (clinic admins) ---------------------------------------------------------------------


@transaction.atomic
def create_page(user: User, draft: PageDraft) -> ShelfPage:
    """Add a page to the clinic's shelf (a clinic admin's)."""
    clinic = access.get_shelf_clinic_for_admin(user)
    title, body = _checked(draft)
    page = ShelfPage(clinic=clinic)
    values = {"title": title, "body": body, "published": draft.published, "updated_by": user}
    audited_update(page, values, user, "shelf.page.create", clinic_id=clinic.pk)
    return page


@transaction.atomic
def update_page(user: User, page_id: uuid.UUID | str, draft: PageDraft) -> ShelfPage:
    """Change a page's title and text (and whether it is published)."""
    page = access.get_shelf_page_for_admin(user, page_id, for_update=True)
    title, body = _checked(draft)
    values = {"title": title, "body": body, "published": draft.published}
    changed = audited_update(page, values, user, "shelf.page.update", clinic_id=page.clinic_id)
    if changed and page.updated_by_id != user.pk:
        page.updated_by = user
        page.save(update_fields=["updated_by"])
    return page


@transaction.atomic
def set_page_published(user: User, page_id: uuid.UUID | str, *, published: bool) -> ShelfPage:
    """Publish a page (it may then be given to partners), or unpublish it: partners it was given
    to no longer see it, until it is published again. Pages are never deleted."""
    page = access.get_shelf_page_for_admin(user, page_id, for_update=True)
    action = "shelf.page.publish" if published else "shelf.page.unpublish"
    audited_update(page, {"published": published}, user, action, clinic_id=page.clinic_id)
    return page


# --- Rebond's starter pages --------------------------------------------------------------------


@dataclass(frozen=True)
class StarterPage:
    key: str
    title: str
    body: str


def starter_languages() -> list[str]:
    """Return the languages with their own set of starter pages (besides English)."""
    return sorted(
        path.name for path in STARTER_DIR.iterdir() if path.is_dir() and any(path.glob("*.md"))
    )


def starter_dir(language: str | None = None) -> Path:
    """Return the folder of the starter pages in `language`: its own set, else English."""
    if language and language in starter_languages():
        return STARTER_DIR / language
    return STARTER_DIR


def starter_pages(language: str | None = None) -> list[StarterPage]:
    """Return Rebond's starter pages in `language` (English without one, or where no set in
    that language exists): rebond/shelf/starter/[<language>/]*.md, each a "# Title" line, then
    the page, in file-name order."""
    pages = []
    for path in sorted(starter_dir(language).glob("*.md")):
        first, _newline, rest = path.read_text(encoding="utf-8").partition("\n")
        if not first.startswith("# "):
            raise ValueError(f"{path.name} must start with a '# Title' line.")
        pages.append(StarterPage(path.stem, first[2:].strip(), rest.strip() + "\n"))
    return pages


@transaction.atomic
def install_starter_pages(clinic: Clinic, by: User | None = None) -> list[ShelfPage]:
    """Add Rebond's starter pages the clinic does not have yet, published; return those added.

    Idempotent by starter key: a page the clinic already made from a starter page (edited,
    retitled or unpublished since) is left as the clinic keeps it. Called when a clinic is
    created (`rebond clinic create`, the demo) and by a clinic admin's button. The pages are
    in the clinic's default language when Rebond has a set in it, else in English.
    """
    have = set(
        ShelfPage.objects.filter(clinic=clinic)
        .exclude(starter_key="")
        .values_list("starter_key", flat=True)
    )
    added = []
    for starter in starter_pages(clinic.default_language):
        if starter.key in have:
            continue
        page = ShelfPage(clinic=clinic, starter_key=starter.key)
        values = {"title": starter.title, "body": starter.body, "published": True, "updated_by": by}
        audited_update(page, values, by, "shelf.page.install_starter", clinic_id=clinic.pk)
        added.append(page)
    return added


def add_starter_pages(user: User) -> list[ShelfPage]:
    """Add the missing starter pages to the clinic the user administers."""
    return install_starter_pages(access.get_shelf_clinic_for_admin(user), by=user)


# --- Assignments (clinicians on the case) ------------------------------------------------------


def _already_given(partner: Partner | None) -> str:
    """Return the refusal of a page already given: to this partner, or to both."""
    if partner is None:
        return _(
            "This page is already given to both partners: withdraw it first, or choose "
            "someone else."
        )
    return _(
        "This page is already given to %(name)s: withdraw it first, or choose someone else."
    ) % {"name": partner.display_name}


@transaction.atomic
def assign_page(
    user: User, couple_id: uuid.UUID | str, page_id: uuid.UUID | str, to: str
) -> PageAssignment:
    """Give a published page of the clinic to partner A, partner B or both (`to`)."""
    couple = access.get_couple_for_clinician(user, couple_id)
    if to not in RECIPIENTS:
        raise ActionError(_("Choose who reads it."), {"to": [_("Choose who reads it.")]})
    try:
        page = access.pages_to_give(couple).filter(id=page_id).first()
    except (ValueError, ValidationError):
        page = None
    if page is None:
        raise ActionError(_("Choose a published page."), {"page": [_("Choose a published page.")]})
    partners = {p.role: p for p in couple.partners.all()}
    partner: Partner | None = None
    if to != TO_BOTH:
        partner = partners.get(to)
        if partner is None:
            raise ActionError(
                _("This case has no such partner."), {"to": [_("Choose who reads it.")]}
            )
    active = PageAssignment.objects.filter(couple=couple, page=page, withdrawn_at__isnull=True)
    # A partner who already has the page (given to them, or to both) is not given it twice;
    # giving it to both while one partner has it would give that partner it twice.
    if partner is not None:
        active = active.filter(Q(partner=partner) | Q(partner__isnull=True))
    clash = active.select_related("partner").first()
    if clash is not None:
        message = _already_given(clash.partner)
        raise ActionError(message, {"page": [message]}, HTTPStatus.CONFLICT)
    assignment = PageAssignment(page=page, couple=couple, partner=partner, assigned_by=user)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # given by a colleague a moment ago
        message = _(
            "This page is already given to them: withdraw it first, or choose someone else."
        )
        raise ActionError(message, {"page": [message]}, HTTPStatus.CONFLICT) from exc
    audit.log(
        actor=user, action="shelf.assignment.create", obj=assignment, clinic_id=couple.clinic_id
    )
    return assignment


@transaction.atomic
def withdraw_assignment(
    user: User, couple_id: uuid.UUID | str, assignment_id: uuid.UUID | str
) -> PageAssignment:
    """Take a page back: the partners it was given to no longer see it."""
    assignment = access.get_page_assignment_of_case(user, couple_id, assignment_id)
    if assignment.withdrawn_at is not None:
        raise ActionError(_("This page was already withdrawn."), status=HTTPStatus.CONFLICT)
    audited_update(
        assignment,
        {"withdrawn_at": now(), "withdrawn_by": user},
        user,
        "shelf.assignment.withdraw",
        clinic_id=assignment.couple.clinic_id,
    )
    return assignment


@transaction.atomic
def record_first_reading(partner: Partner, assignment_id: uuid.UUID | str) -> PageAssignment:
    """Return a page given to the partner, recording when it was first opened (once)."""
    assignment = access.get_page_assignment_for_partner(partner, assignment_id)
    if assignment.first_read_at is None:
        opened = now()
        # Conditional, so two tabs opening it at once record the first time only.
        updated = PageAssignment.objects.filter(
            pk=assignment.pk, first_read_at__isnull=True
        ).update(first_read_at=opened)
        if updated:
            assignment.first_read_at = opened
            audit.log(
                actor=partner,
                action="shelf.assignment.read",
                obj=assignment,
                clinic_id=partner.couple.clinic_id,
                fields=["first_read_at"],
            )
    return assignment
