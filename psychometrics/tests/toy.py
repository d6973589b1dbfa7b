"""A made-up scoring-only instrument for tests of the machinery (not a real questionnaire)."""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import (
    Band,
    ChangeRule,
    Instrument,
    Licence,
    Method,
    MissingRule,
    Norms,
    Scale,
    ScoreRange,
    Status,
)

LABELS = ("Never", "Sometimes", "Often", "Always")

PRORATE = MissingRule(max_missing=1, source="toy manual: one missing item may be prorated")


def make_toy(*, unverified: str | None = None, code: str = "TOY") -> Instrument:
    """Return a four-item toy instrument: item 4 reversed, prorating allowed."""
    return Instrument(
        code=code,
        name="Toy scale",
        version="1",
        citation="none",
        key_source="none",
        licence=Licence(Status.SCORING_ONLY, wording_ships=False, terms="test", attribution="test"),
        items=likert_items(("a", "b", "c", "d"), LABELS, (0, 1, 2, 3), reverse={4}),
        scales=(
            Scale("total", "Total", (1, 2, 3, 4), missing=PRORATE),
            Scale("mean", "Mean", (1, 2, 3, 4), method=Method.MEAN, missing=PRORATE),
            Scale("first", "First item", (1,)),
        ),
        primary="total",
        bands=(
            Band("low", ScoreRange("total", below=6)),
            Band("high", ScoreRange("total", at_least=6)),
        ),
        change=(
            ChangeRule(
                scale="total",
                norms=Norms(sd=2.0, reliability=0.8, source="toy norms", mean=5.0),
                cutoff=6,
                cutoff_source="toy cut-off",
            ),
        ),
        unverified=unverified,
    )
