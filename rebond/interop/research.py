"""The de-identified, long-format research export (one row per item answer or score).

Couples and partners appear under keyed pseudonyms (HMAC of the id with the server's secret
key), dates as days since the couple's first check-in (calendar days at the clinic), no names
or free text. Risk instruments are included only for partners whose research consent is
recorded.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable

from django.conf import settings

from rebond.couples.models import Couple
from rebond.interop.records import ScoredRecord, has_research_consent, session_number
from rebond.lib.clinic_time import clinic_zone

COLUMNS = (
    "couple_id",
    "partner_role",
    "instrument",
    "item",
    "score",
    "session_number",
    "stage",
    "days_since_first_checkin",
)
# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STANDARD_STAGES = {"intake", "end of therapy", "follow-up", "imported"}


def safe_cell(value: object) -> str:
    """Return the cell as text, neutralised with a leading quote if it could be a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def pseudonym(kind: str, value: str) -> str:
    """Return a stable pseudonym for an id: keyed, so it cannot be reversed without the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def _stage(occasion: str) -> str:
    # Free text typed by a clinician never leaves; only the standard occasion names do.
    lowered = occasion.strip().lower()
    if lowered in STANDARD_STAGES:
        return lowered
    if session_number(occasion) is not None and lowered.startswith("session"):
        return "session"
    return ""


def rows_for(couple: Couple, records: list[ScoredRecord]) -> Iterable[list[object]]:
    """Return the long-format rows of one couple."""
    consented = {p.role: has_research_consent(p) for p in couple.partners.all()}
    if not records:
        return []
    zone = clinic_zone(couple.clinic)
    first_day = min(r.administered_at for r in records).astimezone(zone).date()
    couple_key = pseudonym("couple", str(couple.id))
    rows: list[list[object]] = []
    for record in records:
        if record.is_risk and not consented.get(record.partner_role, False):
            continue
        days = (record.administered_at.astimezone(zone).date() - first_day).days
        common = (record.partner_role, record.instrument_code)
        tail = (session_number(record.occasion) or "", _stage(record.occasion), days)
        for number, value in sorted(record.answers.items()):
            rows.append([couple_key, *common, f"item_{number}", value, *tail])
        for scale, score in sorted(record.scores.items()):
            rows.append([couple_key, *common, f"score:{scale}", score, *tail])
    return rows


def to_csv(rows: Iterable[list[object]]) -> str:
    """Write RFC 4180 CSV (csv module quoting), every cell neutralised against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
