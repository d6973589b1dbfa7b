"""The partner's own data, downloaded from their space (/me/data/; issue 23 item 3).

Private-link session only (`session.partner_required`: a revoked or expired link, a logged-out
session or a clinician's login all get the one calm "not valid" page). What the files hold is
`person.own_data` (what the partner may already read in their space, nothing of the other
partner but the entries shared with them). Each download is audited by ids only; the file
names are neutral ("my-data-<date>"): a downloads folder may be read by someone else.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localdate
from django.views.decorators.http import require_safe

from rebond import audit
from rebond.couples.models import Partner
from rebond.interop import person
from rebond.lib.pdf import render_pdf
from rebond.portal import session


@require_safe
@session.partner_required
def my_data(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Show the page offering the partner's own data in two files."""
    return render(request, "interop/my_data.html")


@require_safe
@session.partner_required
def my_data_json(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Return the partner's own data as JSON (machine-readable: GDPR article 20)."""
    body = json.dumps(person.own_download_for(partner), indent=2, ensure_ascii=False)
    _log(partner, "json")
    return _download(body.encode(), "application/json; charset=utf-8", "json")


@require_safe
@session.partner_required
def my_data_pdf(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Return the partner's own data as a tagged, readable PDF (GDPR article 15)."""
    context = {"data": person.own_data(partner)}
    body = render_pdf("interop/my_data_pdf.html", context)
    _log(partner, "pdf")
    return _download(body, "application/pdf", "pdf")


def _log(partner: Partner, file_format: str) -> None:
    with transaction.atomic():
        audit.log(
            actor=partner,
            action="interop.export.own_data",
            obj=partner,
            clinic_id=partner.couple.clinic_id,
            fields=(file_format,),
        )


def _download(body: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    # Neutral: no name, no practice, nothing saying what the data is about.
    filename = f"my-data-{localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
