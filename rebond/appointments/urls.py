"""URLs of calendars and availability, under /calendar/ (included from rebond/urls.py).

A clinician's own pages (the week, hours and time off, the feed), a clinic admin's (the clinic
calendar, session types, appointment settings), and the public feed address, whose secret is
its credential (rebond/tests/test_url_access.py lists it).
"""

from django.urls import path

from rebond.appointments import calendar_views, clinic_views, feed_views

urlpatterns = [
    # A clinician's own calendar.
    path("", calendar_views.calendar_week, name="calendar"),
    path("availability/", calendar_views.calendar_availability, name="calendar_availability"),
    path("availability/hours/", calendar_views.hours_add, name="calendar_hours_add"),
    path(
        "availability/hours/<int:hours_id>/remove/",
        calendar_views.hours_remove,
        name="calendar_hours_remove",
    ),
    path("availability/time-off/", calendar_views.time_off_add, name="calendar_time_off_add"),
    path(
        "availability/time-off/<int:time_off_id>/remove/",
        calendar_views.time_off_remove,
        name="calendar_time_off_remove",
    ),
    path("feed/", calendar_views.calendar_feeds, name="calendar_feeds"),
    path("feed/<int:feed_id>/revoke/", calendar_views.feed_revoke, name="calendar_feed_revoke"),
    path("feed/<int:feed_id>/labels/", calendar_views.feed_labels, name="calendar_feed_labels"),
    # The feed itself, read by a calendar app: no login, the secret is the credential.
    path("feed/<str:feed_token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    # The clinic's (clinic admins).
    path("clinic/", clinic_views.clinic_calendar, name="clinic_calendar"),
    path("settings/", clinic_views.appointment_settings, name="appointment_settings"),
    path("session-types/", clinic_views.session_types, name="session_types"),
    path(
        "session-types/defaults/",
        clinic_views.session_types_defaults,
        name="session_types_defaults",
    ),
    path(
        "session-types/<uuid:session_type_id>/",
        clinic_views.session_type_edit,
        name="session_type_edit",
    ),
    path(
        "session-types/<uuid:session_type_id>/active/",
        clinic_views.session_type_active,
        name="session_type_active",
    ),
]
