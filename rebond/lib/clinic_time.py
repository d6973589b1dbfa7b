"""The clinic's time zone: the one place that turns a clinic into a ZoneInfo.

Times are stored in UTC (USE_TZ). Every time shown or typed is in the clinic's zone:

- in a request, `rebond.portal.locale_middleware.ClinicLocaleMiddleware` activates the zone
  of the clinic the request is about (the clinician's, the partner's link's, the public page's),
  so templates' `|date`, `localtime()` and form date-time fields follow it;
- outside a request (tasks, e-mails, commands, PDFs), wrap the work in `clinic_time(clinic)`.

Anything with a `timezone` attribute holding an IANA name (a Clinic) is accepted, so this
module needs no model.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Protocol

from django.utils import dateformat, timezone

UTC_NAME = "UTC"


class HasTimeZone(Protocol):
    timezone: str


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Return every IANA zone name this server knows, sorted (for a searchable list)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def is_known_zone(name: str) -> bool:
    """Return whether `name` is an IANA zone this server knows (case and spelling exact)."""
    return name in zone_names()


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone of that name; UTC for a name this server does not know.

    Names are checked when saved (rebond/accounts/clinic_settings.py); this guards rows written
    before that check, or a zone removed from a newer tz database, so a page still renders.
    """
    if not is_known_zone(name):
        return zoneinfo.ZoneInfo(UTC_NAME)
    return zoneinfo.ZoneInfo(name)


def clinic_zone(clinic: HasTimeZone) -> zoneinfo.ZoneInfo:
    """Return the clinic's time zone."""
    return zone_named(clinic.timezone)


@contextmanager
def clinic_time(clinic: HasTimeZone) -> Iterator[zoneinfo.ZoneInfo]:
    """Show and read times in the clinic's zone inside the block (outside a request)."""
    zone = clinic_zone(clinic)
    with timezone.override(zone):
        yield zone


def clinic_localtime(clinic: HasTimeZone, at: datetime) -> datetime:
    """Return `at` (aware) as the clinic's clocks show it."""
    return timezone.localtime(at, clinic_zone(clinic))


def clinic_today(clinic: HasTimeZone, at: datetime | None = None) -> date:
    """Return the calendar day at the clinic at `at` (now by default)."""
    return clinic_localtime(clinic, at or timezone.now()).date()


def clinic_clock(clinic: HasTimeZone | None, at: datetime) -> str:
    """Return `at` as a person reads it in an e-mail, e.g. "7 Dec 2026 14:05 AEDT" (UTC when
    there is no clinic, as for a server operator). The month is in the active language."""
    zone = clinic_zone(clinic) if clinic is not None else zoneinfo.ZoneInfo(UTC_NAME)
    local = timezone.localtime(at, zone)
    return dateformat.format(local, "j M Y H:i T")
