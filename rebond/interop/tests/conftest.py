"""A demo couple with answered check-ins, for the export and import tests."""

from __future__ import annotations

import pytest

from rebond.assessments.models import Administration
from rebond.couples.models import Couple
from rebond.demo.practice import build_demo_practice


@pytest.fixture
def demo_couple(db: None) -> Couple:
    """Return a demo couple with submitted check-ins (built by `rebond demo`'s own code)."""
    build_demo_practice()
    # The demo couple with a submitted safety screen (PHQ-9) and recorded consents.
    couple_ids = Administration.objects.filter(
        status=Administration.Status.SUBMITTED, instrument_code="PHQ-9"
    ).values("couple_id")
    # Labels are encrypted at rest: the first in label order is chosen here, not in SQL.
    return min(Couple.objects.filter(id__in=couple_ids), key=lambda c: c.label)
