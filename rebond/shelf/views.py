"""The reading shelf, for clinicians: the clinic's pages (every clinician reads them; clinic
admins write, change, publish and unpublish them, and add Rebond's starter pages), and the
case page's "Reading" section (its clinicians give a published page to partner A, partner B or
both, and withdraw it).

Views parse and render; every change goes through rebond/shelf/actions.py and every fetch
through rebond.access. Forms post to their own URL and work without JavaScript (POST, then
redirect); bad input is answered with 422 and the form shown again. With htmx, the case page's
section swaps itself.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.shelf import actions
from rebond.shelf.forms import AssignForm, PageForm
from rebond.shelf.markdown import render_markdown

UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY


# --- The clinic's pages ------------------------------------------------------------------------


@require_safe
def shelf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the clinic's pages, each with the start of its text."""
    pages = list(access.shelf_pages_for_clinician(request.user))
    starter_keys = {s.key for s in actions.starter_pages()}
    missing = starter_keys - {p.starter_key for p in pages}
    context = {
        "rows": [(page, render_markdown(page.body)) for page in pages],
        "may_edit": access.may_edit_shelf(request.user),
        "starters_missing": len(missing),
    }
    return render(request, "shelf/shelf.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def page_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Write a new page (clinic admins)."""
    clinic = access.get_shelf_clinic_for_admin(request.user)
    status = 200
    preview = None
    if request.method == "POST":
        form = PageForm(request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                preview = render_markdown(form.cleaned_data["body"])
            else:
                try:
                    page = actions.create_page(request.user, form.draft())
                except ActionError as error:
                    add_action_errors(form, error)
                else:
                    messages.success(request, _("Page saved."))
                    return redirect("shelf_page", page_id=page.pk)
        if form.errors:
            status = UNPROCESSABLE
    else:
        form = PageForm(initial={"published": False})
    context = {"form": form, "clinic": clinic, "preview": preview, "page": None}
    return render(request, "shelf/page_form.html", context, status=status)


@require_safe
def page(request: AuthenticatedHttpRequest, page_id: uuid.UUID) -> HttpResponse:
    """Show one page as partners see it."""
    shelf_page = access.get_shelf_page_for_clinician(request.user, page_id)
    context = {
        "page": shelf_page,
        "body": render_markdown(shelf_page.body),
        "may_edit": access.may_edit_shelf(request.user),
    }
    return render(request, "shelf/page.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def page_edit(request: AuthenticatedHttpRequest, page_id: uuid.UUID) -> HttpResponse:
    """Change a page (clinic admins), with a preview as partners will see it."""
    shelf_page = access.get_shelf_page_for_admin(request.user, page_id)
    status = 200
    if request.method == "POST":
        form = PageForm(request.POST)
        preview = None
        if form.is_valid():
            preview = render_markdown(form.cleaned_data["body"])
            if "preview" not in request.POST:
                try:
                    actions.update_page(request.user, shelf_page.pk, form.draft())
                except ActionError as error:
                    add_action_errors(form, error)
                else:
                    messages.success(request, _("Page saved."))
                    return redirect("shelf_page", page_id=shelf_page.pk)
        if form.errors:
            status = UNPROCESSABLE
    else:
        form = PageForm(
            initial={
                "title": shelf_page.title,
                "body": shelf_page.body,
                "published": shelf_page.published,
            }
        )
        preview = render_markdown(shelf_page.body)
    context = {"form": form, "page": shelf_page, "preview": preview}
    return render(request, "shelf/page_form.html", context, status=status)


@require_POST
def page_publish(request: AuthenticatedHttpRequest, page_id: uuid.UUID) -> HttpResponse:
    """Publish a page, or unpublish it (partners it was given to no longer see it)."""
    published = request.POST.get("published") == "yes"
    shelf_page = actions.set_page_published(request.user, page_id, published=published)
    if shelf_page.published:
        messages.success(request, _("%(title)s is published.") % {"title": shelf_page.title})
    else:
        messages.success(
            request,
            _("%(title)s is unpublished: partners it was given to no longer see it.")
            % {"title": shelf_page.title},
        )
    return redirect("shelf_page", page_id=shelf_page.pk)


@require_POST
def starter(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add Rebond's starter pages the clinic does not have yet (clinic admins)."""
    added = actions.add_starter_pages(request.user)
    if added:
        messages.success(
            request,
            ngettext(
                "Added %(count)s of Rebond's starter pages, published.",
                "Added %(count)s of Rebond's starter pages, published.",
                len(added),
            )
            % {"count": len(added)},
        )
    else:
        messages.info(request, _("Your shelf already has all of Rebond's starter pages."))
    return redirect("shelf")


# --- The case page's "Reading" section ---------------------------------------------------------


def reading_section_context(
    user: User,
    couple: Couple,
    form: AssignForm | None = None,
    *,
    saved: str = "",
    refused: str = "",
) -> dict[str, Any]:
    """Return what the case page's "Reading" section shows: the pages given on the case (to
    whom, when, opened or not, withdrawn) and the form to give one."""
    assignments = list(
        access.page_assignments_of_case(user, couple)
        .select_related("page", "partner", "assigned_by")
        .order_by("withdrawn_at", "-assigned_at")
    )
    return {
        "couple": couple,
        "active": [a for a in assignments if a.withdrawn_at is None],
        "withdrawn": [a for a in assignments if a.withdrawn_at is not None],
        "assign_form": form or AssignForm(couple),
        "saved": saved,
        "refused": refused,
    }


def _answer(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    *,
    form: AssignForm | None = None,
    saved: str = "",
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    context = reading_section_context(request.user, couple, form, saved=saved, refused=refused)
    if request.headers.get("HX-Request"):
        body = render_to_string("shelf/_case_reading.html", context, request)
        return HttpResponse(body, status=status)
    if status >= 400:
        return render(request, "shelf/case_reading.html", context, status=status)
    messages.success(request, saved)
    return redirect(reverse("case", args=[couple.id]) + "#reading")


@require_POST
def assign(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Give a published page to partner A, partner B or both."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = AssignForm(couple, request.POST)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            assignment = actions.assign_page(
                request.user, couple.id, form.cleaned_data["page"].pk, form.cleaned_data["to"]
            )
        except ActionError as error:
            add_action_errors(form, error)
            status = error.status
        else:
            if assignment.partner is None:
                saved = _("Given to both partners: %(title)s.") % {"title": assignment.page.title}
            else:
                saved = _("Given to %(name)s: %(title)s.") % {
                    "name": assignment.partner.display_name,
                    "title": assignment.page.title,
                }
            return _answer(request, couple, saved=saved)
    return _answer(request, couple, form=form, status=status)


@require_POST
def withdraw(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, assignment_id: uuid.UUID
) -> HttpResponse:
    """Withdraw a page given on the case: its partners no longer see it."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    try:
        assignment = actions.withdraw_assignment(request.user, couple.id, assignment_id)
    except ActionError as error:
        return _answer(request, couple, refused=error.message, status=error.status)
    return _answer(
        request, couple, saved=_("Withdrawn: %(title)s.") % {"title": assignment.page.title}
    )
