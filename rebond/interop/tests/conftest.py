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
    couple_ids = Administration.objects.filter(status=Administration.Status.SUBMITTED).values(
        "couple_id"
    )
    return Couple.objects.filter(id__in=couple_ids).order_by("label").first()  # type: ignore[return-value]
