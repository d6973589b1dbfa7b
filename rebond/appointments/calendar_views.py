"""A clinician's own calendar pages: the week, their hours and time off, their calendar feed.

Every clinician of a clinic has these, about themselves only: the rows come through
rebond/access/calendar.py, and another clinician's hours, time off or feed is a 404.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.appointments import availability, feeds
from rebond.appointments.forms import FeedForm, TimeOffForm, WeeklyHoursForm
from rebond.appointments.week import empty_week, fill_week, monday_of
from rebond.lib.clinic_time import clinic_today, clinic_zone
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY
# Time off already over stays listed this long, then leaves the page (it stays on the record).
PAST_TIME_OFF_SHOWN = timedelta(days=7)


def _clinic(request: AuthenticatedHttpRequest) -> Clinic:
    return access.get_calendar_clinic(request.user)


@require_safe
def calendar_week(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinician's week: their hours, time off and appointments, day by day."""
    clinic = _clinic(request)
    zone = clinic_zone(clinic)
    today = clinic_today(clinic)
    week = empty_week(monday_of(request.GET.get("week"), today), zone, today)
    time_off = list(access.time_off_of(request.user, start=week.starts_at, end=week.ends_at))
    fill_week(
        week,
        zone,
        hours=access.weekly_hours_of(request.user),
        time_off=time_off,
        reasons=[t.reason for t in time_off],
        entries=access.calendar_of_clinician(request.user, week.starts_at, week.ends_at),
    )
    context = {
        "week": week,
        "this_monday": monday_of(None, today),
        "has_hours": access.weekly_hours_of(request.user).exists(),
    }
    return render(request, "appointments/week.html", context)


def _availability_page(
    request: AuthenticatedHttpRequest,
    *,
    hours_form: WeeklyHoursForm | None = None,
    time_off_form: TimeOffForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic = _clinic(request)
    hours = list(access.weekly_hours_of(request.user))
    days = [
        (name, [h for h in hours if h.weekday == number])
        for number, name in enumerate(availability.WEEKDAYS)
    ]
    context = {
        "clinic": clinic,
        "days": days,
        "time_off": access.time_off_of(request.user, start=now() - PAST_TIME_OFF_SHOWN),
        "hours_form": hours_form or WeeklyHoursForm(),
        "time_off_form": time_off_form or TimeOffForm(clinic_zone(clinic)),
    }
    return render(request, "appointments/availability.html", context, status=status)


@require_safe
def calendar_availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinician's weekly hours and time off, with the forms to change them."""
    return _availability_page(request)


@require_POST
def hours_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a stretch of weekly hours on one or more weekdays."""
    _clinic(request)
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            availability.add_weekly_hours(
                request.user, data["weekdays"], data["starts"], data["ends"]
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _availability_page(request, hours_form=form, status=UNPROCESSABLE)
    messages.success(request, _("Hours added."))
    return redirect(reverse("calendar_availability") + "#hours")


@require_POST
def hours_remove(request: AuthenticatedHttpRequest, hours_id: int) -> HttpResponse:
    """Remove one stretch of the clinician's own weekly hours."""
    availability.remove_weekly_hours(request.user, hours_id)
    messages.success(request, _("Hours removed."))
    return redirect(reverse("calendar_availability") + "#hours")


@require_POST
def time_off_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record time off: whole days, or from a time on the first day to one on the last."""
    clinic = _clinic(request)
    form = TimeOffForm(clinic_zone(clinic), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        draft = availability.TimeOffDraft(data["starts_at"], data["ends_at"], data["reason"])
        try:
            availability.add_time_off(request.user, draft)
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _availability_page(request, time_off_form=form, status=UNPROCESSABLE)
    messages.success(request, _("Time off added."))
    return redirect(reverse("calendar_availability") + "#time-off")


@require_POST
def time_off_remove(request: AuthenticatedHttpRequest, time_off_id: int) -> HttpResponse:
    """Remove one of the clinician's own time off."""
    availability.remove_time_off(request.user, time_off_id)
    messages.success(request, _("Time off removed."))
    return redirect(reverse("calendar_availability") + "#time-off")


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feeds(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinician's calendar feed; make a new address (shown once, on this answer)."""
    _clinic(request)
    context: dict[str, Any] = {"form": FeedForm()}
    if request.method == "POST":
        form = FeedForm(request.POST)
        if not form.is_valid():  # a checkbox: anything sent reads as on or off
            context["form"] = form
            return render(request, "appointments/feeds.html", context, status=UNPROCESSABLE)
        _feed, token = feeds.create_feed(
            request.user, shows_case_labels=form.cleaned_data["shows_case_labels"]
        )
        context["new_feed_url"] = feeds.feed_url(token)
    all_feeds = list(access.feeds_of_clinician(request.user))
    context["live"] = next((f for f in all_feeds if f.revoked_at is None), None)
    context["revoked"] = [f for f in all_feeds if f.revoked_at is not None][:5]
    return render(request, "appointments/feeds.html", context)


@require_POST
def feed_revoke(request: AuthenticatedHttpRequest, feed_id: int) -> HttpResponse:
    """Revoke the clinician's own feed: its address stops working at once."""
    feeds.revoke_feed(request.user, feed_id)
    messages.success(request, _("The feed is revoked: its address no longer works."))
    return redirect("calendar_feeds")


@require_POST
def feed_labels(request: AuthenticatedHttpRequest, feed_id: int) -> HttpResponse:
    """Show or hide case labels in the clinician's live feed."""
    shows = request.POST.get("shows_case_labels") == "on"
    feed = feeds.set_feed_labels(request.user, feed_id, shows_case_labels=shows)
    if feed.revoked_at is None:
        messages.success(
            request,
            _("Your feed now shows case labels.")
            if feed.shows_case_labels
            else _("Your feed now titles every event “Appointment”."),
        )
    return redirect("calendar_feeds")
