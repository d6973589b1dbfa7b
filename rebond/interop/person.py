"""The per-person exports (GDPR articles 15 and 20): what one partner gave, and only that.

Two readers, one module:

- `export_for(partner)`: the clinician's export of one partner (the case's exports page). It
  holds the partner's own details, contact channels, consents, goal, their own answers and
  scores (risk screens too: the clinician may see them), and their own diary entries, never
  what the other partner shared with them.
- `own_data(partner)` / `own_download_for(partner)`: what the partner downloads for
  themselves from their space (/me/data/, rebond/interop/partner_views.py), in JSON and as a
  PDF. It holds only what the partner may already read there (DOMAIN 7.5): the same details,
  channels, consents and goal; their own check-ins that are not risk screens, answers and
  scores (risk screens are not shown to their respondent by default); their own diary
  entries; and the entries the other partner shares with them now, exactly as their diary
  page shows them (none while sharing is paused, never a "not safe" entry), marked as written
  by their partner and naming nothing else of them. The couple chart (which holds the other
  partner's scores) is not part of it.

Both read through the partner-scoped access functions, so the other partner's rows cannot be
reached. Clinicians' notes, injuries and safety records are not the partner's provided data
and stay out (process notes are never exported), and so does the occasion a clinician typed
for a check-in (e.g. "IPV follow-up"): partners never see it.

Every text value is neutralised against spreadsheet formulas exactly as the research CSV is
(`research.safe_cell`): a person receiving their data commonly opens the JSON in a
spreadsheet (Excel and LibreOffice import JSON), and a name or safe-hours note typed as
"=HYPERLINK(...)" must not run there. Numbers stay numbers; only strings are touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.timezone import localtime

import psychometrics
from rebond import access
from rebond.couples.models import ConsentRecord, ContactChannel, Partner
from rebond.diary.models import DiaryEntry
from rebond.interop.records import submitted
from rebond.interop.research import safe_cell

# Shared entries name their author only as this: the download holds nothing else of them.
WRITTEN_BY_PARTNER = "your partner"


def export_for(partner: Partner) -> dict[str, Any]:
    """Return the partner's own data as plain JSON types, every text neutralised."""
    records = submitted(access.administrations_for_partner(partner))
    data = {
        "format": "rebond-person-export/1",
        "partner": _about(partner),
        "contact_channels": [_channel(c) for c in _channels(partner)],
        "consents": [_consent(c) for c in _consents(partner)],
        "checkins": [
            {
                "instrument": r.instrument_code,
                "submitted_at": r.administered_at,
                "answers": {str(k): v for k, v in sorted(r.answers.items())},
                "scores": r.scores,
                "total": r.total,
            }
            for r in records
        ],
        "diary_entries": [
            {**_entry(e), "not_safe_now": e.not_safe_now, "shared_at": e.shared_at}
            for e in access.own_diary_entries(partner).order_by("written_at")
        ],
    }
    return {key: _jsonable(value) for key, value in data.items()}


# --- The partner's own download ----------------------------------------------------------------


@dataclass(frozen=True)
class OwnCheckin:
    """One of the partner's own complete check-ins they may be shown (never a risk screen)."""

    instrument_code: str
    instrument_name: str
    submitted_at: datetime
    answers: list[tuple[int, Any]]
    scores: dict[str, Any]
    band: str
    total: Any


@dataclass(frozen=True)
class OwnData:
    """Everything the partner's own download holds, for the JSON and the PDF alike."""

    partner: Partner
    channels: list[ContactChannel]
    consents: list[ConsentRecord]
    checkins: list[OwnCheckin]
    diary_entries: list[DiaryEntry]
    shared_with_them: list[DiaryEntry]


def own_data(partner: Partner) -> OwnData:
    """Return what the partner may download of their own (see the module docstring)."""
    checkins = []
    rows = access.submissions_shown_to_partner(partner).select_related("administration")
    for row in rows.order_by("submitted_at", "id"):
        code = row.administration.instrument_code
        try:
            name = psychometrics.get_instrument(code).name
        except psychometrics.ScoringError:
            name = code  # An instrument retired from the registry still has its answers.
        checkins.append(
            OwnCheckin(
                instrument_code=code,
                instrument_name=name,
                submitted_at=row.submitted_at,
                answers=sorted((int(k), v) for k, v in row.answers.items()),
                scores=dict(row.scores),
                band=row.band,
                total=row.total,
            )
        )
    return OwnData(
        partner=partner,
        channels=_channels(partner),
        consents=_consents(partner),
        checkins=checkins,
        diary_entries=list(access.own_diary_entries(partner).order_by("written_at")),
        shared_with_them=list(access.entries_shared_with(partner).order_by("written_at")),
    )


def own_download_for(partner: Partner) -> dict[str, Any]:
    """Return the partner's own download as plain JSON types, every text neutralised."""
    data = own_data(partner)
    document = {
        "format": "rebond-own-data/1",
        "partner": _about(partner),
        "contact_channels": [_channel(c) for c in data.channels],
        "consents": [_consent(c) for c in data.consents],
        "checkins": [
            {
                "instrument": c.instrument_code,
                "instrument_name": c.instrument_name,
                "submitted_at": c.submitted_at,
                "answers": {str(number): value for number, value in c.answers},
                "scores": c.scores,
                "band": c.band,
                "total": c.total,
            }
            for c in data.checkins
        ],
        "diary_entries": [
            {**_entry(e), "not_safe_now": e.not_safe_now, "shared": e.shared_at is not None}
            for e in data.diary_entries
        ],
        "entries_shared_with_you": [
            {"written_by": WRITTEN_BY_PARTNER, **_entry(e)} for e in data.shared_with_them
        ],
    }
    return {key: _jsonable(value) for key, value in document.items()}


# --- Parts both exports share ------------------------------------------------------------------


def _about(partner: Partner) -> dict[str, Any]:
    return {
        "id": str(partner.id),
        "role": partner.role,
        "display_name": partner.display_name,
        "pronouns": partner.pronouns,
        "language": partner.language,
        "intake_goal": partner.intake_goal,
    }


def _channels(partner: Partner) -> list[ContactChannel]:
    return list(partner.contact_channels.order_by("created_at"))


def _channel(channel: ContactChannel) -> dict[str, Any]:
    return {
        "kind": channel.kind,
        "value": channel.value,
        "safe_to_contact": channel.safe_to_contact,
        "safe_hours": channel.safe_hours,
        "may_leave_message": channel.may_leave_message,
    }


def _consents(partner: Partner) -> list[ConsentRecord]:
    return list(partner.consents.select_related("document").order_by("granted_at"))


def _consent(consent: ConsentRecord) -> dict[str, Any]:
    return {
        "document": consent.document.kind,
        "version": consent.document.version,
        "granted_at": consent.granted_at,
        "withdrawn_at": consent.withdrawn_at,
    }


def _entry(entry: DiaryEntry) -> dict[str, Any]:
    """Return a diary entry as its author wrote it (what the other partner reads once shared)."""
    return {
        "written_at": entry.written_at,
        "felt_safe": entry.felt_safe,
        "felt_close": entry.felt_close,
        "triggered": entry.triggered,
        "trigger_kind": entry.trigger_kind,
        "trigger_intensity": entry.trigger_intensity,
        "helped": entry.helped,
        "line": entry.line,
    }


def _jsonable(value: Any) -> Any:
    """Return the value as JSON types: times in the clinic's zone as ISO 8601, every string
    passed through `safe_cell`."""
    if isinstance(value, datetime):
        return localtime(value).isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value
