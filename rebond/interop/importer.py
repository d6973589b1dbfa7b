"""Import of historical scores (CSV or FHIR): validated row by row, all or nothing.

CSV columns (docs/interop.md): partner_role (A or B), instrument (a Rebond code such as
PHQ-9), date (YYYY-MM-DD), occasion (optional), item_1 ... item_N (scored values as the
instrument's key has them; blank for a skipped item), total (optional: checked against the
total psychometrics computes, never trusted on its own).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

import psychometrics
from rebond import access, audit
from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Administration, Submission
from rebond.interop.records import ScoredRecord

MAX_ROWS = 5000
# Rows read between two progress writes: a few a second on a 5,000-row file.
PROGRESS_EVERY = 250
WHOLE_ROW = "-"  # the field of a problem with a whole row, not one of its fields


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the row (1 = the header) and the field."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        """Say the problem in the active language; a field is named as its CSV column."""
        if self.field == WHOLE_ROW:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        # Translators: %(field)s is a CSV column name (e.g. item_3), kept as the file has it.
        return _("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class ImportRejected(Exception):
    """The file was refused whole; `errors` names every row and field at fault."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s); nothing was imported.")
        self.errors = errors


def parse_csv(text: str, progress: Callable[[int], None] | None = None) -> list[ScoredRecord]:
    """Read and validate every row; raise ImportRejected listing all problems found.

    `progress(rows read)` is called every PROGRESS_EVERY rows (a background import's page).

    Each row's date becomes noon of that day in the active time zone: the clinic's, in the
    clinician's request (rebond/portal/locale_middleware.py).
    """
    reader = csv.DictReader(io.StringIO(text))
    errors: list[RowError] = []
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportRejected([_unreadable(1, exc)]) from exc
    for required in ("partner_role", "instrument", "date"):
        if required not in header:
            errors.append(RowError(1, required, _("this column is missing from the header.")))
    if errors:
        raise ImportRejected(errors)
    records: list[ScoredRecord] = []
    row_number = 1
    while True:
        row_number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The csv module cannot resume inside a broken row: report it and stop reading.
            errors.append(_unreadable(row_number, exc))
            break
        if row_number - 1 > MAX_ROWS:
            errors.append(
                RowError(
                    row_number,
                    WHOLE_ROW,
                    _("at most %(max)s rows per file.") % {"max": MAX_ROWS},
                )
            )
            break
        record = _parse_row(row_number, row, errors)
        if record is not None:
            records.append(record)
        if progress is not None and (row_number - 1) % PROGRESS_EVERY == 0:
            progress(row_number - 1)
    if not records and not errors:
        errors.append(RowError(2, WHOLE_ROW, _("the file has no data rows.")))
    if errors:
        raise ImportRejected(errors)
    return records


def count_rows(text: str) -> int:
    """Return how many data rows the file seems to hold (for a progress bar: a file the csv
    module cannot read through counts its rows up to the fault)."""
    rows = 0
    with contextlib.suppress(csv.Error):
        for _row in csv.reader(io.StringIO(text)):
            rows += 1
    return max(rows - 1, 0)


def _unreadable(number: int, error: csv.Error) -> RowError:
    """Return the error of a row the csv module refused (e.g. a field over its size limit)."""
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        message = _(
            "a field is longer than %(limit)s characters; nothing was read from here on."
        ) % {"limit": limit}
    else:
        message = _("this is not valid CSV (%(error)s); nothing was read from here on.") % {
            "error": error
        }
    return RowError(number, WHOLE_ROW, message)


def _parse_row(
    number: int, row: dict[str, str | None], errors: list[RowError]
) -> ScoredRecord | None:
    before = len(errors)
    role = (row.get("partner_role") or "").strip().upper()
    if role not in ("A", "B"):
        errors.append(RowError(number, "partner_role", _("must be A or B.")))
    code = (row.get("instrument") or "").strip()
    inst = None
    try:
        inst = scoring.instrument(code)
    except psychometrics.ScoringError:
        errors.append(
            RowError(
                number,
                "instrument",
                _("%(code)s is not a Rebond instrument code.") % {"code": repr(code)},
            )
        )
    raw_date = (row.get("date") or "").strip()
    when = None
    try:
        day = date.fromisoformat(raw_date) if len(raw_date) == 10 else None
        if day is None:
            raise ValueError(raw_date)
        # Noon at the clinic (the zone active for the clinician's request): the date the file
        # gives is the date every page and report of the clinic then shows.
        when = datetime.combine(day, time(12), get_current_timezone())
    except ValueError:
        errors.append(
            RowError(
                number,
                "date",
                _("%(value)s is not a date as YYYY-MM-DD.") % {"value": repr(raw_date)},
            )
        )
    answers: dict[int, int | None] = {}
    if inst is not None:
        for item in inst.items:
            column = f"item_{item.number}"
            raw = (row.get(column) or "").strip()
            if not raw:
                answers[item.number] = None
                continue
            try:
                value = int(raw)
            except ValueError:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("%(value)s is not a whole number.") % {"value": repr(raw)},
                    )
                )
                continue
            if not scoring.is_allowed_value(inst, item.number, value):
                allowed = ", ".join(str(v) for v in item.values)
                errors.append(
                    RowError(
                        number,
                        column,
                        _("%(value)s is not one of %(allowed)s.")
                        % {"value": value, "allowed": allowed},
                    )
                )
                continue
            answers[item.number] = value
    if len(errors) > before or inst is None or when is None:
        return None
    result = scoring.score(inst, answers)
    raw_total = (row.get("total") or "").strip()
    if raw_total:
        try:
            stated = float(raw_total)
        except ValueError:
            errors.append(
                RowError(
                    number, "total", _("%(value)s is not a number.") % {"value": repr(raw_total)}
                )
            )
            return None
        if not math.isfinite(stated):
            # float() reads "nan", "inf" and "1e309"; none of them can equal a computed total.
            errors.append(
                RowError(
                    number,
                    "total",
                    _("%(value)s is not a finite number.") % {"value": repr(raw_total)},
                )
            )
            return None
        if result.total is None or abs(stated - float(result.total)) > 1e-9:
            errors.append(
                RowError(
                    number,
                    "total",
                    _("%(value)s differs from the items' total %(total)s.")
                    % {"value": raw_total, "total": result.total},
                )
            )
            return None
    return ScoredRecord(
        partner_role=role,
        instrument_code=inst.code,
        administered_at=when,
        occasion=(row.get("occasion") or "").strip()[:60],
        answers=answers,
    )


@transaction.atomic
def import_records(
    clinician: User, couple_id: uuid.UUID | str, records: list[ScoredRecord]
) -> list[Administration]:
    """Store historical check-ins for a couple the clinician works on, all or none.

    Each record is scored by psychometrics as if answered today; no alert is raised for a
    historical answer (it is history, not a new disclosure), and the import is audited.
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    partners = {p.role: p for p in couple.partners.all()}
    created = []
    errors: list[RowError] = []
    for index, record in enumerate(records, start=2):
        partner = partners.get(record.partner_role)
        if partner is None:
            errors.append(RowError(index, "partner_role", _("this couple has no such partner.")))
            continue
        try:
            inst = scoring.instrument(record.instrument_code)
        except psychometrics.ScoringError as exc:
            errors.append(RowError(index, "instrument", str(exc)))
            continue
        try:
            result = scoring.score(inst, record.answers)
        except psychometrics.ScoringError as exc:
            errors.append(RowError(index, "answers", str(exc)))
            continue
        payload = scoring.result_payload(result)
        administration = Administration.objects.create(
            couple=couple,
            partner=partner,
            instrument_code=inst.code,
            is_risk=scoring.is_risk_instrument(inst),
            occasion=record.occasion or "Imported",
            status=Administration.Status.SUBMITTED,
            due_at=record.administered_at,
            created_at=record.administered_at,
            created_by=clinician,
            submitted_at=record.administered_at,
        )
        Submission.objects.create(
            administration=administration,
            submission_key=administration.submission_key,
            answers={str(item.number): record.answers.get(item.number) for item in inst.items},
            scores=payload["scores"],
            total=payload["total"],
            band=payload["band"] or "",
            flags=payload["flags"],
            complete=payload["complete"],
            missing=payload["missing"],
            submitted_at=record.administered_at,
        )
        audit.log(
            actor=clinician,
            action="interop.import",
            obj=administration,
            clinic_id=couple.clinic_id,
            fields=("answers",),
        )
        created.append(administration)
    if errors:
        transaction.set_rollback(True)
        raise ImportRejected(errors)
    return created
