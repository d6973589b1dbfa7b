"""Every time is stored in UTC and shown and typed in the clinic's zone, across daylight saving.

Two clinics, on either side of the world, each across a change of their clocks in 2026:
- Los Angeles springs forward on Sunday 8 March (PST, UTC-8, to PDT, UTC-7);
- Sydney falls back on Sunday 5 April (AEDT, UTC+11, to AEST, UTC+10) and springs forward on
  Sunday 4 October (AEST to AEDT).
A session at 18:30 the day before and the day after each change is typed as 18:30, stored as
the right instant, and shown back as 18:30. Pages are fetched through real requests; time is
pinned by passing explicit datetimes (or by the module's `now`, as the suite does elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from rebond.accounts.models import Clinic, User
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import make_alert
from rebond.assessments.models import Administration, ClinicCheckinSettings
from rebond.assessments.reminders import due_reminders
from rebond.audit import anchor as anchors
from rebond.couples.models import CaseTransition, Couple
from rebond.emergency import actions as emergency_actions
from rebond.interop import research
from rebond.interop.models import BackgroundJob
from rebond.interop.records import ScoredRecord
from rebond.interop.tests.uploads import upload_csv
from rebond.lib.clinic_time import (
    clinic_localtime,
    clinic_time,
    clinic_today,
    clinic_zone,
    is_known_zone,
)
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinician, sign_in
from rebond.tests.pdf import pdf_text
from rebond.therapy.models import Session
from rebond.therapy.tests.helpers import make_case, partners_of

pytestmark = pytest.mark.django_db

LA = "America/Los_Angeles"
SYDNEY = "Australia/Sydney"
# (zone, local date-time typed, the UTC instant it is: PST/PDT, AEDT/AEST, AEST/AEDT)
DST_CASES = [
    (LA, "2026-03-07T18:30", datetime(2026, 3, 8, 2, 30, tzinfo=UTC)),
    (LA, "2026-03-09T18:30", datetime(2026, 3, 10, 1, 30, tzinfo=UTC)),
    (SYDNEY, "2026-04-04T18:30", datetime(2026, 4, 4, 7, 30, tzinfo=UTC)),
    (SYDNEY, "2026-04-06T18:30", datetime(2026, 4, 6, 8, 30, tzinfo=UTC)),
    (SYDNEY, "2026-10-03T18:30", datetime(2026, 10, 3, 8, 30, tzinfo=UTC)),
    (SYDNEY, "2026-10-05T18:30", datetime(2026, 10, 5, 7, 30, tzinfo=UTC)),
]
# 18:30 on Saturday 7 March 2026 in Los Angeles: already Sunday 8 March in UTC.
SATURDAY_EVENING_LA = datetime(2026, 3, 8, 2, 30, tzinfo=UTC)
Capture = Callable[..., Any]


def in_zone(clinic: Clinic, name: str) -> Clinic:
    clinic.timezone = name
    clinic.save(update_fields=["timezone"])
    return clinic


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_case(alice)


def shown(text: str) -> str:
    """Return how a page writes a local time typed as ISO: "7 Mar 2026, 18:30"."""
    moment = datetime.fromisoformat(text)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


# --- The helper -------------------------------------------------------------------------------


def test_the_helper_turns_a_clinic_into_its_zone_and_its_day(clinic_a: Clinic) -> None:
    in_zone(clinic_a, "Pacific/Kiritimati")  # UTC+14: its day starts before anyone else's
    late = datetime(2026, 3, 7, 11, 0, tzinfo=UTC)
    assert clinic_today(clinic_a, late).isoformat() == "2026-03-08"
    assert clinic_localtime(clinic_a, late).hour == 1
    with clinic_time(clinic_a) as zone:
        assert timezone.get_current_timezone() == zone
        assert timezone.localdate(late).isoformat() == "2026-03-08"
    assert timezone.get_current_timezone_name() == "UTC"
    assert is_known_zone(SYDNEY)
    assert not is_known_zone("australia/sydney")
    # A zone name this server does not know (a row written before names were checked) shows
    # times in UTC rather than breaking every page.
    clinic_a.timezone = "Mars/Olympus_Mons"
    assert str(clinic_zone(clinic_a)) == "UTC"


# --- Sessions typed and shown at 18:30, either side of each change -------------------------


def session_form(couple: Couple, when: str) -> dict[str, Any]:
    return {
        "kind": "conjoint",
        "occurred_at": when,
        "attendance": "held",
        "attendees": [str(p.id) for p in couple.partners.all()],
        "shared_label": "Session",
        "clinical_purpose": "",
    }


@pytest.mark.parametrize(("zone", "typed", "instant"), DST_CASES)
def test_a_session_typed_at_18_30_is_stored_at_that_instant_and_shown_as_18_30(
    client: Client,
    alice: User,
    couple: Couple,
    zone: str,
    typed: str,
    instant: datetime,
) -> None:
    in_zone(couple.clinic, zone)
    sign_in(client, alice)
    response = client.post(
        reverse("therapy_session_record", args=[couple.id]), session_form(couple, typed)
    )
    assert response.status_code == 302
    session = Session.objects.get(couple=couple)
    assert session.occurred_at == instant
    page = client.get(response["Location"]).content.decode()
    assert shown(typed) in page
    assert f'datetime="{clinic_localtime(couple.clinic, instant).isoformat()}"' in page
    # The sessions list gives the clinic's date, and the note form names the session by it.
    listing = client.get(reverse("therapy_sessions", args=[couple.id])).content.decode()
    day = datetime.fromisoformat(typed)
    assert f"{day.day} {day:%b %Y}" in listing
    notes = client.get(reverse("therapy_notes", args=[couple.id])).content.decode()
    assert f"Session 1 · {day:%d %b %Y}" in notes


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(
    client: Client, alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, LA)
    sign_in(client, alice)
    # 02:30 on 8 March never happens in Los Angeles: the clocks go from 01:59 to 03:00.
    response = client.post(
        reverse("therapy_session_record", args=[couple.id]),
        session_form(couple, "2026-03-08T02:30"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "time zone America/Los_Angeles" in body
    assert "may be ambiguous or it may not exist" in body
    assert not Session.objects.exists()


def test_the_record_form_starts_at_the_clinics_time_now(
    client: Client, alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, SYDNEY)
    sign_in(client, alice)
    page = client.get(reverse("therapy_sessions", args=[couple.id])).content.decode()
    sydney_now = clinic_localtime(couple.clinic, timezone.now())
    # Within the minute it was rendered (the form is to the minute).
    candidates = {(sydney_now - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in range(2)}
    assert any(f'value="{c}"' in page for c in candidates)


# --- Pages: the case, its timeline, progress, alerts ----------------------------------------


def test_the_timeline_groups_events_by_the_clinics_day(
    client: Client, alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, LA)
    sign_in(client, alice)
    client.post(
        reverse("therapy_session_record", args=[couple.id]),
        session_form(couple, "2026-03-07T18:30"),
    )
    page = client.get(reverse("therapy_timeline", args=[couple.id])).content.decode()
    # Saturday in Los Angeles, though Sunday in UTC: the heading and the dot's date.
    assert '<time datetime="2026-03-07">Saturday 7 March 2026</time>' in page
    assert "<title>07 Mar 2026 · Session 1 · Held</title>" in page
    assert "Sunday 8 March 2026" not in page


def test_the_case_page_alert_pages_and_progress_show_local_times(
    client: Client, alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, SYDNEY)
    Couple.objects.filter(pk=couple.pk).update(opened_at=SATURDAY_EVENING_LA)
    alert = make_alert(couple, [alice])
    Alert.objects.filter(pk=alert.pk).update(created_at=SATURDAY_EVENING_LA)
    CaseTransition.objects.create(
        couple=couple, from_status="", to_status=couple.status, at=SATURDAY_EVENING_LA, by=alice
    )
    sign_in(client, alice)
    # 02:30 UTC on 8 March is 13:30 the same day in Sydney (AEDT, UTC+11).
    case = client.get(reverse("case", args=[couple.id])).content.decode()
    assert "8 Mar 2026, 13:30" in case  # the alert, raised
    assert '<time datetime="2026-03-08T13:30:00+11:00">8 Mar 2026</time>' in case  # opened
    alert_page = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert (
        "Suicide risk screen positive, 8 Mar 2026, 13:30 · Alert" in alert_page
    )  # the page's title too
    assert "8 Mar 2026, 13:30</time>" in alert_page
    inbox = client.get(reverse("alerts")).content.decode()
    assert "8 Mar 2026, 13:30" in inbox
    safety = client.get(reverse("case_safety", args=[couple.id])).content.decode()
    assert '<time datetime="2026-03-08T13:30:00+11:00">8 Mar 2026</time>' in safety
    # The same instant for a Los Angeles clinic is the evening before.
    in_zone(couple.clinic, LA)
    assert "7 Mar 2026, 18:30" in client.get(reverse("alert", args=[alert.id])).content.decode()
    progress = client.get(reverse("couple_progress", args=[couple.id])).content.decode()
    assert '<time datetime="2026-03-07T18:30:00-08:00">7 Mar 2026</time>' in progress


def test_the_progress_report_pdf_dates_are_the_clinics(
    client: Client,
    alice: User,
    couple: Couple,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rebond.measurement import views as measurement_views

    in_zone(couple.clinic, LA)
    CaseTransition.objects.create(
        couple=couple, from_status="", to_status=couple.status, at=SATURDAY_EVENING_LA, by=alice
    )
    # Made at 02:30 UTC on Sunday: still Saturday evening at the clinic.
    monkeypatch.setattr(measurement_views, "now", lambda: SATURDAY_EVENING_LA)
    sign_in(client, alice)
    text = pdf_text(client.get(reverse("progress_report", args=[couple.id])).content)
    assert "Generated 07 Mar 2026 by Alice Therapist" in text
    assert "07 Mar 2026: " in text
    assert "08 Mar 2026" not in text
    a, _ = partners_of(couple)
    own = pdf_text(client.get(reverse("client_report", args=[couple.id, a.id])).content)
    assert "Prepared 07 Mar 2026" in own


# --- Who decides the zone of a request ------------------------------------------------------


@pytest.fixture
def zones_rendered() -> Iterator[list[str]]:
    """Record the active time zone each time a template is rendered (in the request)."""
    seen: list[str] = []

    def record(sender: object, **kwargs: object) -> None:
        seen.append(timezone.get_current_timezone_name())

    template_rendered.connect(record)
    yield seen
    template_rendered.disconnect(record)


def test_each_request_uses_its_clinics_zone_and_the_next_starts_from_utc(
    client: Client,
    alice: User,
    charlie: User,
    couple: Couple,
    clinic_b: Clinic,
    zones_rendered: list[str],
) -> None:
    in_zone(couple.clinic, SYDNEY)
    in_zone(clinic_b, LA)
    # A clinic's public request page: that clinic's zone, whoever asks.
    client.get(reverse("consultation_request", args=[couple.clinic.slug]))
    assert set(zones_rendered) == {SYDNEY}
    zones_rendered.clear()
    client.get(reverse("login"))
    assert set(zones_rendered) == {"UTC"}
    # A clinician: their clinic's.
    zones_rendered.clear()
    sign_in(client, charlie)
    client.get(reverse("caseload"))
    assert set(zones_rendered) == {LA}
    client.post(reverse("logout"))
    # A partner on their private link: the link's clinic.
    zones_rendered.clear()
    a, _ = partners_of(couple)
    open_space(client, a, alice)
    client.get(reverse("portal:home"))
    assert set(zones_rendered) == {SYDNEY}
    # Between requests, and after them, the thread is back on UTC.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_server_operator_without_a_clinic_sees_utc(
    client: Client, zones_rendered: list[str]
) -> None:
    operator = make_clinician(None, "Server Operator")
    sign_in(client, operator)
    client.get(reverse("mfa_settings"))
    assert set(zones_rendered) == {"UTC"}


# --- Outside a request: e-mails, reminders, exports ------------------------------------------


def test_the_emergency_access_e_mail_and_notice_give_the_clinics_time(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    bob: User,
    couple: Couple,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    in_zone(clinic_a, LA)
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    # Granted at 14:30 on Monday 9 March in Los Angeles (PDT), for 4 hours: until 18:30 PDT.
    monkeypatch.setattr(emergency_actions, "now", lambda: datetime(2026, 3, 9, 21, 30, tzinfo=UTC))
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("emergency_access"),
            {
                "case": couple.reference,
                "grantee": str(bob.id),
                "reason": "Client at risk tonight; her therapist is on leave.",
                "hours": "4",
            },
            follow=True,
        )
    assert "until 09 Mar 18:30." in response.content.decode()
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "until 09 Mar 2026 18:30 PDT." in message.body


def test_a_reminder_falls_due_at_the_same_clock_time_at_the_clinic_across_the_change(
    alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, LA)
    ClinicCheckinSettings.objects.create(clinic=couple.clinic, remind_after_days=2, max_reminders=2)
    a, _ = partners_of(couple)
    # Due at 18:30 on Saturday 7 March (PST); two of the clinic's days later is Monday 9 March
    # at 18:30 PDT, which is 47 hours later, not 48.
    Administration.objects.create(
        couple=couple,
        partner=a,
        instrument_code="CSI-4",
        due_at=SATURDAY_EVENING_LA,
        created_by=alice,
    )
    monday_evening = datetime(2026, 3, 10, 1, 30, tzinfo=UTC)
    assert due_reminders(monday_evening - timedelta(minutes=1)) == {}
    due = due_reminders(monday_evening)
    assert [(adm.partner_id, number) for adm, number in due[a.id]] == [(a.id, 1)]


def test_the_research_export_counts_the_clinics_calendar_days(alice: User, couple: Couple) -> None:
    in_zone(couple.clinic, SYDNEY)

    def record(at: datetime) -> ScoredRecord:
        return ScoredRecord(
            partner_role="A",
            instrument_code="CSI-4",
            occasion="Session 1",
            administered_at=at,
            answers={1: 3},
        )

    # 10:00 on 8 March in Sydney (AEDT, UTC+11), then 23:00 the same day: day 0 twice,
    # though UTC has moved from the 7th to the 8th.
    first = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    same_day = first + timedelta(hours=13)
    rows = list(research.rows_for(couple, [record(first), record(same_day)]))
    assert {row[-1] for row in rows} == {0}
    # 09:00 on 9 March in Sydney: the next day there, though only 23 hours later.
    next_morning = first + timedelta(hours=23)
    rows = list(research.rows_for(couple, [record(first), record(next_morning)]))
    assert {row[-1] for row in rows} == {0, 1}


def test_an_imported_date_stays_that_date_at_the_clinic(
    client: Client, alice: User, couple: Couple
) -> None:
    in_zone(couple.clinic, "Pacific/Kiritimati")  # UTC+14: noon UTC would be the next day
    sign_in(client, alice)
    upload = SimpleUploadedFile(
        "history.csv",
        b"partner_role,instrument,date,item_1,item_2,item_3,item_4\nA,CSI-4,2026-03-08,3,3,3,3\n",
    )
    # The worker imports it in the clinic's zone, as the request did (rebond/interop/jobs.py).
    response, job = upload_csv(client, couple, upload.read())
    assert job is not None
    assert job.status == BackgroundJob.Status.DONE, response.content.decode()[:2000]
    submitted_at = Administration.objects.get(couple=couple).submitted_at
    assert submitted_at is not None
    assert clinic_localtime(couple.clinic, submitted_at).isoformat() == (
        "2026-03-08T12:00:00+14:00"
    )
    # The FHIR export writes that instant with the clinic's offset.
    bundle = client.post(reverse("interop:case_exports", args=[couple.id]), {"export": "fhir"})
    assert "2026-03-08T12:00:00+14:00" in bundle.content.decode()


def test_the_audit_anchor_e_mail_gives_each_clinics_time(
    alice: User, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    in_zone(clinic_a, SYDNEY)
    in_zone(clinic_b, LA)
    lead_a = make_clinician(clinic_a, "Lee Lead", is_safety_lead=True)
    lead_b = make_clinician(clinic_b, "Lou Lead", is_safety_lead=True)
    anchor = anchors.Anchor(7, "ab" * 32, SATURDAY_EVENING_LA)
    anchors.email([anchor], [lead_a.email, lead_b.email])
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "on 08 Mar 2026 at 13:30 AEDT" in bodies[lead_a.email]
    assert "on 07 Mar 2026 at 18:30 PST" in bodies[lead_b.email]
    # The signed line itself stays in UTC, the same for everyone.
    line_a = next(t for t in bodies[lead_a.email].splitlines() if t.startswith("{"))
    assert json.loads(line_a)["anchored_at"] == "2026-03-08T02:30:00.000000+00:00"
