"""URLs of a case's appointments (clinicians, under /cases/) and of a partner's calendar file
(under /me/, private-link session only; listed in rebond/tests/test_url_access.py)."""

from django.urls import path

from rebond.appointments import case_views, partner_views

urlpatterns = [
    path("cases/<uuid:couple_id>/appointments/", case_views.schedule, name="appointment_schedule"),
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/",
        case_views.appointment_page,
        name="appointment",
    ),
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/record/",
        case_views.record,
        name="appointment_record",
    ),
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/move/",
        case_views.move,
        name="appointment_move",
    ),
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/cancel/",
        case_views.cancel,
        name="appointment_cancel",
    ),
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/no-show/",
        case_views.no_show,
        name="appointment_no_show",
    ),
    # A partner's own: "Add to my calendar" on their space.
    path(
        "me/appointments/<uuid:appointment_id>.ics",
        partner_views.appointment_calendar_file,
        name="appointment_calendar_file",
    ),
]
