"""The per-person export (GDPR articles 15 and 20): what one partner gave, and only that.

It holds the partner's own details, contact channels, consents, goal, their own answers
and scores, and their own diary entries (never what the other partner shared with them),
read through the partner-scoped access functions, so the other partner's rows cannot be
reached. Clinicians' notes, injuries and safety records are not the partner's
provided data and stay out (process notes are never exported), and so does the occasion a
clinician typed for a check-in (e.g. "IPV follow-up"): partners never see it.

Every text value is neutralised against spreadsheet formulas exactly as the research CSV is
(`research.safe_cell`): a person receiving their data commonly opens the JSON in a
spreadsheet (Excel and LibreOffice import JSON), and a name or safe-hours note typed as
"=HYPERLINK(...)" must not run there. Numbers stay numbers; only strings are touched.
"""

from __future__ import annotations

from typing import Any

from django.utils.timezone import localtime

from rebond import access
from rebond.couples.models import Partner
from rebond.interop.records import submitted
from rebond.interop.research import safe_cell


def export_for(partner: Partner) -> dict[str, Any]:
    """Return the partner's own data as plain JSON types, every text neutralised."""
    records = submitted(access.administrations_for_partner(partner))
    data = {
        "format": "rebond-person-export/1",
        "partner": {
            "id": str(partner.id),
            "role": partner.role,
            "display_name": partner.display_name,
            "pronouns": partner.pronouns,
            "language": partner.language,
            "intake_goal": partner.intake_goal,
        },
        "contact_channels": [
            {
                "kind": c.kind,
                "value": c.value,
                "safe_to_contact": c.safe_to_contact,
                "safe_hours": c.safe_hours,
                "may_leave_message": c.may_leave_message,
            }
            for c in partner.contact_channels.order_by("created_at")
        ],
        "consents": [
            {
                "document": c.document.kind,
                "version": c.document.version,
                "granted_at": localtime(c.granted_at).isoformat(),
                "withdrawn_at": localtime(c.withdrawn_at).isoformat() if c.withdrawn_at else None,
            }
            for c in partner.consents.select_related("document").order_by("granted_at")
        ],
        "checkins": [
            {
                "instrument": r.instrument_code,
                "submitted_at": localtime(r.administered_at).isoformat(),
                "answers": {str(k): v for k, v in sorted(r.answers.items())},
                "scores": r.scores,
                "total": r.total,
            }
            for r in records
        ],
        "diary_entries": [
            {
                "written_at": localtime(e.written_at).isoformat(),
                "felt_safe": e.felt_safe,
                "felt_close": e.felt_close,
                "triggered": e.triggered,
                "trigger_kind": e.trigger_kind,
                "trigger_intensity": e.trigger_intensity,
                "helped": e.helped,
                "line": e.line,
                "not_safe_now": e.not_safe_now,
                "shared_at": localtime(e.shared_at).isoformat() if e.shared_at else None,
            }
            for e in access.own_diary_entries(partner).order_by("written_at")
        ],
    }
    return {key: _neutralised(value) for key, value in data.items()}


def _neutralised(value: Any) -> Any:
    """Return the value with every string in it passed through `safe_cell`."""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, dict):
        return {key: _neutralised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_neutralised(item) for item in value]
    return value
