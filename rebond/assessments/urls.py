"""URLs of check-ins: the partner's pages (under /me/) and the clinician's page per case.

Partner pages are @login_not_required but answer only a private-link session
(rebond/portal/session.py); rebond/tests/test_url_access.py lists them.
"""

from django.urls import path

import rebond.assessments.views as views

urlpatterns = [
    path("me/checkins/", views.checkin_list, name="checkin_list"),
    path("me/checkins/<uuid:administration_id>/", views.checkin, name="checkin"),
    path(
        "me/checkins/<uuid:administration_id>/autosave/",
        views.checkin_autosave,
        name="checkin_autosave",
    ),
    path(
        "me/checkins/<uuid:administration_id>/submit/",
        views.checkin_submit,
        name="checkin_submit",
    ),
    path(
        "me/checkins/<uuid:administration_id>/done/",
        views.checkin_receipt,
        name="checkin_receipt",
    ),
    path("cases/<uuid:couple_id>/checkins/", views.case_checkins, name="case_checkins"),
    path(
        "cases/<uuid:couple_id>/checkins/schedule/",
        views.schedule_checkin,
        name="schedule_checkin",
    ),
    path("cases/<uuid:couple_id>/checkins/apply/", views.apply_schedule, name="apply_schedule"),
    path("cases/<uuid:couple_id>/checkins/sets/", views.case_schedule, name="case_schedule"),
    path(
        "cases/<uuid:couple_id>/checkins/sets/reset/",
        views.case_schedule_reset,
        name="case_schedule_reset",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/pin/<uuid:partner_id>/",
        views.set_link_pin,
        name="set_link_pin",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/pin/<uuid:partner_id>/clear/",
        views.clear_link_pin,
        name="clear_link_pin",
    ),
    path("settings/schedule/", views.schedule_settings, name="schedule_settings"),
    path(
        "settings/schedule/instruments/approve/",
        views.approve_instrument,
        name="approve_instrument",
    ),
    path(
        "settings/schedule/instruments/withdraw/",
        views.withdraw_instrument,
        name="withdraw_instrument",
    ),
    path("settings/schedule/sets/", views.save_schedule_settings, name="schedule_settings_save"),
    path(
        "settings/schedule/reminders/",
        views.save_reminder_settings,
        name="reminder_settings_save",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/<uuid:administration_id>/cancel/",
        views.cancel_checkin,
        name="cancel_checkin",
    ),
]
