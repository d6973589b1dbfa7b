"""A clinician's private calendar feed: a secret address their calendar app subscribes to.

The secret (`secrets.token_urlsafe`, 256 bits) is shown once, when the feed is made; only its
SHA-256 is stored, so a copy of the database opens no feed. A clinician has at most one live
feed: making a new address revokes the old one (a lost phone is one click away from harmless).
Revoking is immediate, and a revoked or unknown address answers the same 404.

What the feed carries is decided in rebond/access/calendar.py (`feed_entries`) and written by
rebond/appointments/ical.py: every event is titled "Appointment", with no description, place,
attendee or video link, and a cancelled one is marked CANCELLED so calendars drop it. Only a
clinician who chose it sees case labels as titles, and only for cases they are on.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now

from rebond import access, audit
from rebond.accounts.models import User
from rebond.appointments.ical import Entry, calendar_file
from rebond.appointments.models import CalendarFeed

# What a subscribed calendar shows: the recent past (to see what happened) and months ahead.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365


def new_feed_token() -> str:
    """Return a new secret for a feed's address (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def hash_feed_token(token: str) -> str:
    """Return the SHA-256 of a feed's secret, as stored (a 256-bit secret needs no salt)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def feed_url(token: str) -> str:
    """Return the absolute address of a feed (settings.SITE_URL)."""
    path = reverse("calendar_feed", kwargs={"feed_token": token})
    return settings.SITE_URL.rstrip("/") + path


def _revoke(user: User, feed: CalendarFeed, at: datetime) -> None:
    feed.revoked_at = at
    feed.save(update_fields=["revoked_at"])
    audit.log(actor=user, action="appointments.feed.revoke", obj=feed, clinic_id=user.clinic_id)


@transaction.atomic
def create_feed(user: User, *, shows_case_labels: bool = False) -> tuple[CalendarFeed, str]:
    """Make the clinician's feed (revoking a live one); return it and its secret, shown once."""
    at = now()
    for live in access.feeds_of_clinician(user).select_for_update().filter(revoked_at=None):
        _revoke(user, live, at)
    token = new_feed_token()
    feed = CalendarFeed.objects.create(
        clinician=user,
        token_hash=hash_feed_token(token),
        shows_case_labels=shows_case_labels,
        created_at=at,
    )
    audit.log(actor=user, action="appointments.feed.create", obj=feed, clinic_id=user.clinic_id)
    return feed, token


@transaction.atomic
def revoke_feed(user: User, feed_id: int) -> CalendarFeed:
    """Revoke one of the clinician's own feeds at once (revoking it again changes nothing)."""
    feed = access.get_feed_of_clinician(user, feed_id)
    if feed.revoked_at is None:
        _revoke(user, feed, now())
    return feed


@transaction.atomic
def set_feed_labels(user: User, feed_id: int, *, shows_case_labels: bool) -> CalendarFeed:
    """Choose whether the clinician's live feed titles events with case labels."""
    feed = access.get_feed_of_clinician(user, feed_id)
    if feed.revoked_at is not None or feed.shows_case_labels == shows_case_labels:
        return feed
    feed.shows_case_labels = shows_case_labels
    feed.save(update_fields=["shows_case_labels"])
    audit.log(
        actor=user,
        action="appointments.feed.update",
        obj=feed,
        clinic_id=user.clinic_id,
        fields=["shows_case_labels"],
    )
    return feed


def read_feed(token: str) -> bytes | None:
    """Return the calendar file of the live feed with this secret, or None for any other.

    Records when the feed was last read, so the clinician sees whether a device still uses it.
    """
    feed = access.get_live_feed(hash_feed_token(token))
    if feed is None:
        return None
    at = now()
    entries = access.feed_entries(
        feed, at - timedelta(days=FEED_DAYS_BACK), at + timedelta(days=FEED_DAYS_AHEAD)
    )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=at)
    # A calendar app asks with no session: the titles are in the clinician's own language.
    with translation.override(feed.clinician.preferred_language):
        return calendar_file(
            [
                Entry(
                    uid=str(entry.id),
                    starts_at=entry.starts_at,
                    ends_at=entry.ends_at,
                    title=entry.case_label or "",
                    cancelled=entry.is_cancelled,
                )
                for entry in entries
            ]
        )
