"""URLs of free consultations: the requester's choice of a time (public, under the clinic's
public request page) and the clinician's actions on it (under the inbox's request)."""

from django.urls import path

from rebond.appointments import consultation_views, inbox_views

urlpatterns = [
    path(
        "c/<slug:clinic_slug>/request/sent/time/",
        consultation_views.consultation_time,
        name="consultation_time",
    ),
    path(
        "c/<slug:clinic_slug>/request/sent/time.ics",
        consultation_views.consultation_time_file,
        name="consultation_time_ics",
    ),
    path(
        "inbox/<uuid:request_id>/consultation/confirm/",
        inbox_views.confirm,
        name="inbox_consultation_confirm",
    ),
    path(
        "inbox/<uuid:request_id>/consultation/cancel/",
        inbox_views.cancel,
        name="inbox_consultation_cancel",
    ),
    path(
        "inbox/<uuid:request_id>/consultation/time/",
        inbox_views.consultation_time,
        name="inbox_consultation_time",
    ),
]
