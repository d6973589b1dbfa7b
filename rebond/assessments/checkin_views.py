"""The partner's check-in pages (private-link session, under /me/).

Partner pages show only the partner's own administrations, under a neutral name ("Check-in 1
of 2"), never the instrument's name, and never a score, band or flag (DOMAIN.md 7.5). They work
without JavaScript: the whole questionnaire is one form posted to `checkin_submit`. With
JavaScript (assessments/checkin.js) each answer is also autosaved to the server-side draft.
Every change goes through `rebond.assessments.actions`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from psychometrics import Instrument, Item
from psychometrics.model import ORIGINAL_LANGUAGE
from rebond import access
from rebond.assessments import actions
from rebond.assessments.checkins import open_checkins, worded
from rebond.assessments.models import Administration, Submission
from rebond.couples.models import Partner
from rebond.lib.errors import ActionError
from rebond.portal import session
from rebond.portal.locale_middleware import no_clinic_time

# An answer is a small whole number; anything else is refused before it reaches int().
VALUE_RE = re.compile(r"-?[0-9]{1,4}")
ITEM_RE = re.compile(r"[0-9]{1,3}")


# --- The partner's pages ----------------------------------------------------------------------


@dataclass
class ItemRow:
    """One question on the page: its wording, options, and the answer to show chosen."""

    item: Item
    chosen: int | None = None
    error: str = ""
    saved: int | None = None  # the answer in the server-side draft, for checkin.js

    @property
    def field_name(self) -> str:
        return f"item-{self.item.number}"


@dataclass
class CheckinPage:
    administration: Administration
    inst: Instrument
    position: int
    count: int
    rows: list[ItemRow]
    errors: list[ItemRow] = field(default_factory=list)
    problem: str = ""
    unanswered: list[int] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(row.chosen is not None for row in self.rows)

    @property
    def language(self) -> str:
        """The language the questionnaire is given in (its wording is in it)."""
        return self.administration.language

    @property
    def time_frame(self) -> str:
        """The time frame to show apart from the instructions: the original's, when they lack it.

        A translation's instructions carry their own time frame, and the time frame itself
        is English data, so it is shown only with the original wording.
        """
        frame = self.inst.time_frame
        if (
            self.language != ORIGINAL_LANGUAGE
            or frame.lower() in (self.inst.instructions or "").lower()
        ):
            return ""
        return frame


def _own_offered(
    partner: Partner, administration_id: uuid.UUID
) -> tuple[Administration, Instrument]:
    """Return one of the partner's own administrations that can be shown, or raise Http404.

    The instrument comes worded in the administration's language (`checkins.worded`); its
    options keep the key's scored values, so answers are read and scored the same in any.
    """
    administration = access.get_administration_for_partner(partner, administration_id)
    inst = worded(administration)
    if inst is None:
        raise Http404("Not found.")
    return administration, inst


def _position(partner: Partner, administration: Administration) -> tuple[int, int]:
    """Return (number, of how many) of this check-in among the partner's open ones."""
    ids = [a.id for a in open_checkins(partner)]
    if administration.id not in ids:
        return 1, 1
    return ids.index(administration.id) + 1, len(ids)


def _render_checkin(
    request: HttpRequest,
    partner: Partner,
    administration: Administration,
    inst: Instrument,
    *,
    chosen: dict[int, int | None] | None = None,
    item_errors: dict[int, str] | None = None,
    problem: str = "",
    unanswered: list[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    saved = actions.draft_answers(administration)
    answers: dict[int, int | None] = dict(saved)
    answers.update({n: v for n, v in (chosen or {}).items() if v is not None})
    item_errors = item_errors or {}
    rows = [
        ItemRow(
            item,
            answers.get(item.number),
            item_errors.get(item.number, ""),
            saved.get(item.number),
        )
        for item in inst.items
    ]
    position, count = _position(partner, administration)
    page = CheckinPage(
        administration,
        inst,
        position,
        count,
        rows,
        errors=[row for row in rows if row.error],
        problem=problem,
        unanswered=unanswered or [],
    )
    return render(request, "assessments/checkin.html", {"page": page}, status=status)


@require_safe
@session.partner_required
def checkin_list(request: HttpRequest, partner: Partner) -> HttpResponse:
    """List the partner's own open check-ins, by neutral number only."""
    return render(request, "assessments/checkin_list.html", {"checkins": open_checkins(partner)})


@require_safe
@session.partner_required
def checkin(request: HttpRequest, partner: Partner, administration_id: uuid.UUID) -> HttpResponse:
    """Show one check-in, with the answers saved so far already chosen."""
    administration, inst = _own_offered(partner, administration_id)
    if administration.status == Administration.Status.SUBMITTED:
        return redirect("checkin_receipt", administration_id=administration.id)
    if not administration.is_open:
        messages.info(request, _("That check-in is no longer open."))
        return redirect("checkin_list")
    return _render_checkin(request, partner, administration, inst)


def _parse_answers(
    inst: Instrument, data: QueryDict
) -> tuple[dict[int, int | None], dict[int, str]]:
    """Return ({item number: value or None}, {item number: error}) from a posted form."""
    answers: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    for item in inst.items:
        raw = data.get(f"item-{item.number}", "")
        if raw == "":
            answers[item.number] = None
        elif VALUE_RE.fullmatch(raw) and int(raw) in item.values:
            answers[item.number] = int(raw)
        else:
            errors[item.number] = _("That answer is not one of the choices: please choose again.")
    return answers, errors


@require_POST
@session.partner_required
def checkin_submit(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> HttpResponse:
    """Submit the whole check-in once (the plain-form path, and the final step with JS).

    Bad input is answered with 400 and the page again, with every valid choice still chosen;
    nothing is saved then. Unanswered questions are pointed out once before finishing.
    """
    administration, inst = _own_offered(partner, administration_id)
    answers, errors = _parse_answers(inst, request.POST)
    if errors:
        return _render_checkin(
            request,
            partner,
            administration,
            inst,
            chosen=answers,
            item_errors=errors,
            problem=_("Some answers could not be read. Nothing was sent: please check them."),
            status=400,
        )
    key = request.POST.get("submission_key", "")
    if administration.is_open and request.POST.get("finish") != "anyway":
        saved = actions.draft_answers(administration)
        missing = [
            item.number
            for item in inst.items
            if not item.conditional
            and answers.get(item.number) is None
            and item.number not in saved
        ]
        if missing:
            return _render_checkin(
                request, partner, administration, inst, chosen=answers, unanswered=missing
            )
    try:
        actions.submit_administration(partner, administration.id, key, answers)
    except ActionError as exc:
        if exc.status == 409:
            return render(
                request, "assessments/checkin_closed.html", {"message": str(exc)}, status=409
            )
        return _render_checkin(
            request, partner, administration, inst, chosen=answers, problem=str(exc), status=400
        )
    return redirect("checkin_receipt", administration_id=administration.id)


@no_clinic_time
@require_POST
@session.partner_required
def checkin_autosave(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> JsonResponse:
    """Save one answer to the server-side draft; answer JSON only after the commit.

    The busiest request of the app, so it does only what the answer needs: the partner's
    session, one access check (`_own_offered`), one guarded write
    (`actions.save_draft_answer_to`). The reply shows no time (so no clinic time zone is
    looked up) and no count (checkin.js counts the answers on the page itself).
    """
    administration, inst = _own_offered(partner, administration_id)
    raw_item = request.POST.get("item", "")
    raw_value = request.POST.get("value", "")
    if not ITEM_RE.fullmatch(raw_item) or not 1 <= int(raw_item) <= len(inst.items):
        return JsonResponse({"error": _("There is no such question.")}, status=400)
    if raw_value != "" and not VALUE_RE.fullmatch(raw_value):
        return JsonResponse({"error": _("That answer is not one of the choices.")}, status=400)
    item_number = int(raw_item)
    value = None if raw_value == "" else int(raw_value)
    try:
        actions.save_draft_answer_to(administration, item_number, value)
    except ActionError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return JsonResponse({"saved": True, "item": item_number})


@require_safe
@session.partner_required
def checkin_receipt(
    request: HttpRequest, partner: Partner, administration_id: uuid.UUID
) -> HttpResponse:
    """Thank the partner; show crisis resources at once if an answer raised a risk flag.

    Never a score, a band or a flag's words: the respondent sees only that help is there.
    """
    administration, _ = _own_offered(partner, administration_id)
    submission = Submission.objects.filter(administration=administration).first()
    if submission is None:
        return redirect("checkin", administration_id=administration.id)
    context: dict[str, Any] = {"next_checkins": open_checkins(partner), "show_crisis": False}
    if submission.has_risk_flag:
        context["show_crisis"] = True
        context["resources"] = list(administration.couple.clinic.crisis_resources.all())
    return render(request, "assessments/checkin_receipt.html", context)
