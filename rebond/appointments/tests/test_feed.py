"""A clinician's private calendar feed: secret, revocable, neutral unless they chose labels.

Canary test (issue 18): no event carries a therapy word, a partner's or requester's name, a
clinical purpose or a video link; with labels chosen, only the label of a case they are on.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from icalendar import Calendar

from rebond.accounts.models import Clinic, User
from rebond.appointments import feeds
from rebond.appointments.models import Appointment, CalendarFeed, SessionType
from rebond.appointments.tests.calendar_helpers import book
from rebond.audit.models import AuditEntry
from rebond.intake.models import ConsultationRequest
from rebond.lib.logs import redact
from rebond.lib.neutral import therapy_words
from rebond.test import make_couple, sign_in
from rebond.therapy import actions as therapy_actions

pytestmark = pytest.mark.django_db

LABEL = "Okafor & Lindqvist CANARY-LABEL"
OTHER_LABEL = "Reyes & Bauer CANARY-OTHER"
PARTNERS = ("Tobi CANARY-PARTNER", "Saga CANARY-PARTNER")
REQUESTER = "Priya CANARY-REQUESTER"
PURPOSE = "IPV follow-up CANARY-PURPOSE"
VIDEO = "https://video.example.test/CANARY-ROOM"


@pytest.fixture
def calendar(clinic_a: Clinic, alice: User, bob: User) -> dict[str, Appointment]:
    """Alice's coming weeks: her case's session (by video, with a purpose), a cancelled one, a
    consultation hold, and a case she handed over to Bob."""
    couple = make_couple(alice, LABEL, partners=PARTNERS)
    handed_over = make_couple(bob, OTHER_LABEL)
    request = ConsultationRequest.objects.create(
        clinic=clinic_a,
        name=REQUESTER,
        contact_method=ConsultationRequest.ContactMethod.EMAIL,
        contact_value="priya@example.test",
        may_leave_message=False,
        feels_safe=ConsultationRequest.FeelsSafe.YES,
        consented_at=now(),
    )
    session = therapy_actions.record_session(
        alice,
        couple.id,
        therapy_actions.SessionDraft(
            attendee_ids=tuple(couple.partners.values_list("id", flat=True)),
            clinical_purpose=PURPOSE,
        ),
    )
    soon = now().replace(microsecond=0) + timedelta(days=2)
    session_appointment = book(alice, soon, couple=couple)
    session_appointment.mode = Appointment.Mode.VIDEO
    session_appointment.video_link = VIDEO
    session_appointment.session = session
    session_appointment.save()
    session_appointment.invited.set(couple.partners.all())
    return {
        "session": session_appointment,
        "cancelled": book(
            alice,
            soon + timedelta(days=1),
            couple=couple,
            kind=SessionType.Kind.INDIVIDUAL,
            status=Appointment.Status.CANCELLED,
        ),
        "held": book(
            alice,
            soon + timedelta(days=2),
            request=request,
            kind=SessionType.Kind.CONSULTATION,
            status=Appointment.Status.REQUESTED,
        ),
        "handed_over": book(alice, soon + timedelta(days=3), couple=handed_over),
        "bobs": book(bob, soon, couple=handed_over),
        "released": book(
            alice,
            soon + timedelta(days=4),
            request=request,
            kind=SessionType.Kind.CONSULTATION,
            status=Appointment.Status.RELEASED,
        ),
    }


def make_feed(client: Client, *, labels: bool = False) -> str:
    """Make the signed-in clinician's feed through its page; return its address's path."""
    response = client.post(reverse("calendar_feeds"), {"shows_case_labels": "on"} if labels else {})
    assert response.status_code == 200
    found = re.search(
        r'value="https?://[^/"]+(/calendar/feed/[A-Za-z0-9_-]{43}\.ics)"', response.content.decode()
    )
    assert found, "the new feed's address is shown"
    return found.group(1)


def read(path: str) -> tuple[Calendar, str]:
    response = Client().get(path)  # a calendar app: no session, no cookies
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    return Calendar.from_ical(text), text


def events(calendar: Calendar) -> dict[str, tuple[str, str | None]]:
    """Return each event's (title, status) by the appointment id in its UID."""
    return {
        str(event["uid"]).removesuffix("@rebond"): (str(event["summary"]), event.get("status"))
        for event in calendar.walk("VEVENT")
    }


CANARIES = (LABEL, OTHER_LABEL, *PARTNERS, REQUESTER, PURPOSE, VIDEO, "CANARY")


def test_a_feed_is_neutral_by_default(
    client: Client, alice: User, calendar: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    parsed, text = read(make_feed(client))
    found = events(parsed)
    assert set(found) == {
        str(calendar[name].id) for name in ("session", "cancelled", "held", "handed_over")
    }
    assert {title for title, _ in found.values()} == {"Appointment"}
    assert found[str(calendar["cancelled"].id)][1] == "CANCELLED"
    assert found[str(calendar["session"].id)][1] is None
    for canary in CANARIES:
        assert canary not in text
    assert therapy_words(text) == []
    # Times, in UTC, and nothing more: no description, place, attendee or link.
    for event in parsed.walk("VEVENT"):
        assert set(event.keys()) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"}
    session = calendar["session"]
    event = next(e for e in parsed.walk("VEVENT") if str(session.id) in str(e["uid"]))
    assert event.decoded("dtstart") == session.starts_at
    assert event.decoded("dtend") == session.ends_at


def test_with_labels_chosen_only_the_label_of_a_case_they_are_on_is_added(
    client: Client, alice: User, calendar: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    parsed, text = read(make_feed(client, labels=True))
    found = events(parsed)
    assert found[str(calendar["session"].id)][0] == LABEL
    assert found[str(calendar["cancelled"].id)][0] == LABEL
    assert found[str(calendar["held"].id)][0] == "Appointment"
    assert found[str(calendar["handed_over"].id)][0] == "Appointment"
    for canary in (OTHER_LABEL, *PARTNERS, REQUESTER, PURPOSE, VIDEO):
        assert canary not in text
    assert text.count("CANARY") == text.count("CANARY-LABEL")


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(
    client: Client, alice: User, calendar: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    token = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    feed = CalendarFeed.objects.get(clinician=alice)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert feed.shows_case_labels is False
    assert token not in client.get(reverse("calendar_feeds")).content.decode()
    entry = AuditEntry.objects.get(action="appointments.feed.create")
    assert (entry.actor_id, entry.object_id) == (alice.pk, str(feed.pk))
    assert token not in str(entry.fields) + entry.reason + entry.object_id


def test_each_read_is_recorded_on_the_feed(client: Client, alice: User) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    assert CalendarFeed.objects.get().last_read_at is None
    read(path)
    last_read = CalendarFeed.objects.get().last_read_at
    assert last_read is not None
    assert now() - last_read < timedelta(minutes=1)
    assert "Last read" in client.get(reverse("calendar_feeds")).content.decode()


def test_a_revoked_address_answers_as_one_that_never_existed(client: Client, alice: User) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    feed = CalendarFeed.objects.get()
    response = client.post(reverse("calendar_feed_revoke", args=[feed.id]))
    assert response.status_code == 302
    revoked = Client().get(path)
    unknown = Client().get(reverse("calendar_feed", args=[feeds.new_feed_token()]))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert feed.last_read_at is None
    assert AuditEntry.objects.filter(action="appointments.feed.revoke").count() == 1


def test_a_new_address_revokes_the_old_one(client: Client, alice: User) -> None:
    sign_in(client, alice)
    old = make_feed(client)
    new = make_feed(client)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(clinician=alice, revoked_at=None).count() == 1
    assert AuditEntry.objects.filter(action="appointments.feed.revoke").count() == 1


def test_labels_are_turned_on_and_off_and_each_change_is_audited(
    client: Client, alice: User, calendar: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    feed = CalendarFeed.objects.get()
    client.post(reverse("calendar_feed_labels", args=[feed.id]), {"shows_case_labels": "on"})
    assert LABEL in read(path)[1]
    client.post(reverse("calendar_feed_labels", args=[feed.id]))
    assert LABEL not in read(path)[1]
    assert AuditEntry.objects.filter(action="appointments.feed.update").count() == 2


def test_a_deactivated_clinicians_feed_stops_answering(client: Client, alice: User) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert Client().get(path).status_code == 404


def test_nobody_else_revokes_or_changes_a_clinicians_feed(
    client: Client, alice: User, bob: User
) -> None:
    sign_in(client, alice)
    path = make_feed(client)
    feed = CalendarFeed.objects.get()
    other = Client()
    sign_in(other, bob)
    assert other.post(reverse("calendar_feed_revoke", args=[feed.id])).status_code == 404
    labels = other.post(
        reverse("calendar_feed_labels", args=[feed.id]), {"shows_case_labels": "on"}
    )
    assert labels.status_code == 404
    feed.refresh_from_db()
    assert (feed.revoked_at, feed.shows_case_labels) == (None, False)
    assert Client().get(path).status_code == 200


def test_the_feed_holds_only_its_clinicians_appointments(
    client: Client, bob: User, calendar: dict[str, Appointment]
) -> None:
    sign_in(client, bob)
    found = events(read(make_feed(client, labels=True))[0])
    assert found == {str(calendar["bobs"].id): (OTHER_LABEL, None)}


def test_an_appointment_far_in_the_past_leaves_the_feed(client: Client, alice: User) -> None:
    couple = make_couple(alice, "Old")
    old = book(alice, now() - timedelta(days=feeds.FEED_DAYS_BACK + 1), couple=couple)
    recent = book(alice, now() - timedelta(days=feeds.FEED_DAYS_BACK - 1), couple=couple)
    sign_in(client, alice)
    found = events(read(make_feed(client))[0])
    assert str(recent.id) in found
    assert str(old.id) not in found


def test_a_feeds_secret_never_reaches_a_log(client: Client, alice: User) -> None:
    # gunicorn's access log and every log record go through the same redaction.
    sign_in(client, alice)
    path = make_feed(client)
    token = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    assert redact(f'GET {path} HTTP/1.1" 200') == 'GET /calendar/feed/- HTTP/1.1" 200'
    assert token not in redact(f"https://rebond.example.org{path}")
    # The page that makes feeds has no secret in its own path, and keeps it.
    assert redact("GET /calendar/feed/ HTTP/1.1") == "GET /calendar/feed/ HTTP/1.1"
