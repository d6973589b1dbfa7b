"""The retention sweep on a synthetic clinic: exactly the due cases are erased, nothing of
other clinics or of a clinic that keeps indefinitely, notices go once and ahead, and the
e-mails and audit entries carry no personal data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from rebond.accounts.models import Clinic, User
from rebond.audit import chain
from rebond.audit.models import AuditEntry
from rebond.couples.models import CaseTransition, Couple
from rebond.lifecycle.models import ErasureRecord, RetentionNotice, RetentionPolicy
from rebond.lifecycle.retention import add_years, cases_coming_due, closing_times
from rebond.lifecycle.sweep import sweep
from rebond.test import make_clinician, make_couple

pytestmark = pytest.mark.django_db

TODAY = date(2030, 6, 15)
UTC = ZoneInfo("UTC")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def case_with_history(clinician: User, label: str, *steps: tuple[str, date]) -> Couple:
    """A case whose recorded history is `steps` (status, day), its status the last one."""
    couple = make_couple(clinician, label, partners=(f"{label} One", f"{label} Two"))
    before = ""
    for status, day in steps:
        CaseTransition.objects.create(
            couple=couple, from_status=before, to_status=status, at=at(day)
        )
        before = status
    Couple.objects.filter(pk=couple.pk).update(status=before)
    return couple


def opened(day: date) -> tuple[str, date]:
    return (Couple.Status.REFERRED, day)


def closed(day: date) -> tuple[str, date]:
    return (Couple.Status.CLOSED, day)


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


def keep(clinic: Clinic, years: int | None, *, changed_on: date = date(2020, 1, 1)) -> None:
    RetentionPolicy.objects.create(
        clinic=clinic, keep_years=years, notice_days=30, changed_on=changed_on
    )


def test_add_years_keeps_the_day_and_moves_29_february() -> None:
    assert add_years(date(2023, 3, 1), 7) == date(2030, 3, 1)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_a_case_counts_from_its_last_closing_not_from_an_earlier_one(alice: User) -> None:
    reopened = case_with_history(
        alice,
        "Reopened",
        opened(date(2015, 1, 1)),
        closed(date(2016, 1, 1)),
        (Couple.Status.FOLLOW_UP, date(2029, 1, 1)),
        closed(date(2029, 2, 1)),
        (Couple.Status.ARCHIVED, date(2029, 3, 1)),
    )
    assert closing_times([reopened.pk]) == {reopened.pk: at(date(2029, 2, 1))}


def test_the_sweep_erases_exactly_the_due_cases_and_tells_admins_once_ahead(
    clinic_a: Clinic, clinic_b: Clinic, alice: User, charlie: User, admin: User
) -> None:
    keep(clinic_a, 7)
    due = case_with_history(alice, "Due", opened(date(2020, 1, 1)), closed(date(2023, 6, 1)))
    due_today = case_with_history(
        alice, "Today", opened(date(2020, 1, 1)), closed(TODAY - timedelta(days=7 * 365 + 2))
    )
    soon = case_with_history(alice, "Soon", opened(date(2020, 1, 1)), closed(date(2023, 6, 25)))
    later = case_with_history(alice, "Later", opened(date(2020, 1, 1)), closed(date(2028, 1, 1)))
    active = case_with_history(alice, "Active", opened(date(2001, 1, 1)))
    never_closed_by_record = make_couple(alice, "Unrecorded", status=Couple.Status.CLOSED)
    reopened = case_with_history(
        alice,
        "Reopened",
        opened(date(2010, 1, 1)),
        closed(date(2011, 1, 1)),
        (Couple.Status.FOLLOW_UP, date(2030, 1, 1)),
    )
    elsewhere = case_with_history(
        charlie, "Elsewhere", opened(date(1990, 1, 1)), closed(date(1991, 1, 1))
    )

    coming = cases_coming_due(clinic_a, RetentionPolicy.of_clinic(clinic_a.pk), TODAY)
    assert [(c.couple_id, c.is_due(TODAY)) for c in coming] == [
        (due.pk, True),
        (due_today.pk, True),
        (soon.pk, False),
    ]

    counts = sweep({clinic_a.pk: TODAY})
    remaining = set(Couple.objects.values_list("pk", flat=True))
    assert remaining == {
        soon.pk,
        later.pk,
        active.pk,
        never_closed_by_record.pk,
        reopened.pk,
        elsewhere.pk,
    }
    assert (counts.notices, counts.erased) == (1, 2)
    erased = {r.object_id for r in ErasureRecord.objects.filter(kind=ErasureRecord.Kind.CASE)}
    assert erased == {due.pk, due_today.pk}
    # One notice, ahead of the day "Soon" is erased, to the clinic's admin only.
    notice = RetentionNotice.objects.get()
    assert (notice.clinic_id, notice.erase_on, notice.case_count) == (
        clinic_a.pk,
        date(2030, 6, 25),
        1,
    )
    assert [m.to for m in mail.outbox] == [[admin.email]]
    body = f"{mail.outbox[0].subject}\n{mail.outbox[0].body}"
    assert "1 closed case" in body
    assert "25 Jun 2030" in body
    for couple in Couple.objects.all():
        assert couple.label not in body
        assert all(p.display_name not in body for p in couple.partners.all())
    assert "Due" not in body
    assert "Today" not in body

    # Again the same day, and the next: nothing twice.
    again = sweep({clinic_a.pk: TODAY})
    assert (again.notices, again.emails, again.erased) == (0, 0, 0)
    assert len(mail.outbox) == 1

    # On its day "Soon" goes, and nothing else.
    sweep({clinic_a.pk: date(2030, 6, 25)})
    assert set(Couple.objects.values_list("pk", flat=True)) == remaining - {soon.pk}

    entries = AuditEntry.objects.filter(action="lifecycle.case.erase")
    assert {e.object_id for e in entries} == {str(due.pk), str(due_today.pk), str(soon.pk)}
    assert {e.reason for e in entries} == {"retention_ended"}
    assert all("Due" not in str(e.fields) for e in entries)
    assert chain.verify().intact


def test_nothing_is_erased_when_the_clinic_keeps_indefinitely(
    clinic_a: Clinic, alice: User, admin: User
) -> None:
    keep(clinic_a, None)
    old = case_with_history(alice, "Old", opened(date(1990, 1, 1)), closed(date(1991, 1, 1)))
    call_command("lifecycle_sweep")
    assert Couple.objects.filter(pk=old.pk).exists()
    assert not RetentionNotice.objects.exists()
    assert mail.outbox == []


def test_a_new_period_never_erases_before_its_notice_period(
    clinic_a: Clinic, alice: User, admin: User
) -> None:
    keep(clinic_a, 1, changed_on=TODAY)
    old = case_with_history(alice, "Old", opened(date(1990, 1, 1)), closed(date(1991, 1, 1)))
    assert sweep({clinic_a.pk: TODAY}).erased == 0
    assert RetentionNotice.objects.get().erase_on == TODAY + timedelta(days=30)
    assert sweep({clinic_a.pk: TODAY + timedelta(days=30)}).erased == 1
    assert not Couple.objects.filter(pk=old.pk).exists()


def declined_request(clinic: Clinic, name: str, decided: date | None, *, spam: bool = False) -> str:
    """A consultation request received a month before `decided`, then declined (or spam)."""
    from rebond.intake.models import ConsultationRequest

    received = at((decided or TODAY) - timedelta(days=30))
    request = ConsultationRequest.objects.create(
        clinic=clinic,
        name=name,
        contact_method=ConsultationRequest.ContactMethod.EMAIL,
        contact_value=f"{name.lower()}@example.org",
        may_leave_message=False,
        feels_safe=ConsultationRequest.FeelsSafe.YES,
        consented_at=received,
        created_at=received,
        status=ConsultationRequest.Status.SPAM if spam else ConsultationRequest.Status.DECLINED,
        decided_at=at(decided) if decided else None,
    )
    return str(request.pk)


def test_declined_and_spam_requests_go_once_the_period_has_passed_since_the_decision(
    alice: User, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    from rebond.intake.models import ConsultationRequest

    keep(clinic_a, 2)
    old = declined_request(clinic_a, "Old", date(2028, 6, 14))  # due 2030-06-14
    old_spam = declined_request(clinic_a, "Spam", date(2027, 1, 1), spam=True)
    recent = declined_request(clinic_a, "Recent", date(2028, 6, 16))  # due tomorrow
    elsewhere = declined_request(clinic_b, "Elsewhere", date(2020, 1, 1))  # keeps indefinitely
    converted = case_with_history(alice, "Converted", opened(date(2020, 1, 1)))
    became_case = declined_request(clinic_a, "Became", date(2020, 1, 1))
    ConsultationRequest.objects.filter(pk=became_case).update(
        couple=converted, status=ConsultationRequest.Status.CONVERTED
    )

    counts = sweep({clinic_a.pk: TODAY})

    assert counts.requests_erased == 2
    left = {str(pk) for pk in ConsultationRequest.objects.values_list("pk", flat=True)}
    assert left == {recent, elsewhere, became_case}
    assert {old, old_spam} == {
        str(r.object_id) for r in ErasureRecord.objects.filter(kind=ErasureRecord.Kind.REQUEST)
    }
    entry = AuditEntry.objects.filter(action="lifecycle.request.erase").first()
    assert entry is not None
    assert "Old" not in str(entry.fields)
    assert chain.verify().intact
