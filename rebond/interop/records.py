"""What every export and import shares: one scored administration as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from rebond.assessments.models import Administration
from rebond.couples.models import ConsentDocument, Partner

_SESSION_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class ScoredRecord:
    """One submitted administration: who answered what, when, and how it scored."""

    partner_role: str
    instrument_code: str
    administered_at: datetime
    occasion: str
    answers: dict[int, int | None]
    scores: dict[str, float | None] = field(default_factory=dict)
    total: float | None = None
    is_risk: bool = False
    administration_id: str = ""
    partner_id: str = ""
    # The language the questionnaire was given in ("" when unknown, e.g. read from a file).
    language: str = ""


def session_number(occasion: str) -> int | None:
    """Return the session number in an occasion such as "Session 4", or None."""
    match = _SESSION_NUMBER.search(occasion)
    return int(match.group(1)) if match else None


def submitted(administrations: QuerySet[Administration]) -> list[ScoredRecord]:
    """Return the submitted administrations of a queryset (already access-filtered)."""
    rows = (
        administrations.filter(status=Administration.Status.SUBMITTED, submission__isnull=False)
        .select_related("partner", "submission")
        .order_by("submitted_at", "partner__role", "instrument_code")
    )
    records = []
    for administration in rows:
        submission = administration.submission
        records.append(
            ScoredRecord(
                partner_role=administration.partner.role,
                instrument_code=administration.instrument_code,
                administered_at=submission.submitted_at,
                occasion=administration.occasion,
                answers={int(k): v for k, v in submission.answers.items()},
                scores=dict(submission.scores),
                total=submission.total,
                is_risk=administration.is_risk,
                administration_id=str(administration.id),
                partner_id=str(administration.partner_id),
                language=administration.language,
            )
        )
    return records


def has_research_consent(partner: Partner) -> bool:
    """Return whether the partner's consent to research use is recorded and not withdrawn."""
    return partner.consents.filter(
        document__kind=ConsentDocument.Kind.RESEARCH, withdrawn_at__isnull=True
    ).exists()
