"""CSV import of historical scores: row-by-row validation, a clear report, all or nothing."""

from __future__ import annotations

import pytest

from rebond.accounts.models import User
from rebond.assessments.models import Administration
from rebond.interop import importer
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

HEADER = "partner_role,instrument,date,occasion," + ",".join(f"item_{n}" for n in range(1, 10))


def test_a_good_file_imports_every_row_scored_by_psychometrics(alice: User) -> None:
    couple = make_couple(alice)
    text = "\n".join(
        [
            HEADER + ",total",
            "A,PHQ-9,2025-01-10,Intake,1,1,0,1,0,0,1,0,0,4",
            "B,PHQ-9,2025-01-10,Intake,2,2,2,2,2,2,2,2,0,16",
        ]
    )
    created = importer.import_records(alice, couple.id, importer.parse_csv(text))
    assert len(created) == 2
    totals = sorted(a.submission.total or 0 for a in created)
    assert totals == [4, 16]
    assert all(a.status == Administration.Status.SUBMITTED for a in created)
    assert created[0].submission.band == "minimal"


def test_a_bad_file_is_refused_whole_with_every_row_and_field_named(alice: User) -> None:
    couple = make_couple(alice)
    text = "\n".join(
        [
            HEADER + ",total",
            "A,PHQ-9,2025-01-10,Intake,1,1,0,1,0,0,1,0,0,4",
            "C,PHQ-9,2025-01-10,,1,1,0,1,0,0,1,0,0,",
            "A,NOPE-1,10/01/2025,,,,,,,,,,,",
            "B,PHQ-9,2025-02-01,,1,7,0,x,0,0,1,0,0,",
            "B,PHQ-9,2025-02-01,,1,1,1,1,1,1,1,1,1,3",
        ]
    )
    with pytest.raises(importer.ImportRejected) as caught:
        importer.parse_csv(text)
    report = [str(error) for error in caught.value.errors]
    assert "Row 3, partner_role: must be A or B." in report
    assert "Row 4, instrument: 'NOPE-1' is not a Rebond instrument code." in report
    assert "Row 4, date: '10/01/2025' is not a date as YYYY-MM-DD." in report
    assert "Row 5, item_2: 7 is not one of 0, 1, 2, 3." in report
    assert "Row 5, item_4: 'x' is not a whole number." in report
    assert "Row 6, total: 3 differs from the items' total 9." in report
    assert not Administration.objects.filter(couple=couple).exists()


def test_a_file_without_the_required_columns_names_them(alice: User) -> None:
    with pytest.raises(importer.ImportRejected) as caught:
        importer.parse_csv("role,when\nA,2025-01-01\n")
    assert [e.field for e in caught.value.errors] == ["partner_role", "instrument", "date"]


def test_an_import_that_fails_midway_leaves_nothing_behind(alice: User) -> None:
    couple = make_couple(alice)
    couple.partners.filter(role="B").delete()
    records = importer.parse_csv(
        "\n".join(
            [
                HEADER,
                "A,PHQ-9,2025-01-10,,1,1,0,1,0,0,1,0,0",
                "B,PHQ-9,2025-01-10,,0,0,0,0,0,0,0,0,0",
            ]
        )
    )
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_records(alice, couple.id, records)
    assert str(caught.value.errors[0]) == "Row 3, partner_role: this couple has no such partner."
    assert not Administration.objects.filter(couple=couple).exists()


def test_a_clinician_cannot_import_into_a_case_they_are_not_on(alice: User, bob: User) -> None:
    from django.http import Http404

    couple = make_couple(alice)
    records = importer.parse_csv("\n".join([HEADER, "A,PHQ-9,2025-01-10,,1,1,0,1,0,0,1,0,0"]))
    with pytest.raises(Http404):
        importer.import_records(bob, couple.id, records)


def test_a_record_of_an_unknown_instrument_is_reported_not_crashed(alice: User) -> None:
    from django.utils.timezone import now

    from rebond.interop.records import ScoredRecord

    couple = make_couple(alice)
    record = ScoredRecord("A", "NOT-AN-INSTRUMENT", now(), "", {1: 1})
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_records(alice, couple.id, [record])
    assert caught.value.errors[0].field == "instrument"
    assert not Administration.objects.filter(couple=couple).exists()
