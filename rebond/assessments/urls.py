"""URLs of check-ins: the partner's pages (under /me/) and the clinician's page per case.

Partner pages are @login_not_required but answer only a private-link session
(rebond/portal/session.py); rebond/tests/test_url_access.py lists them.
"""

from django.urls import path

from rebond.assessments import case_views, checkin_views, settings_views

urlpatterns = [
    path("me/checkins/", checkin_views.checkin_list, name="checkin_list"),
    path("me/checkins/<uuid:administration_id>/", checkin_views.checkin, name="checkin"),
    path(
        "me/checkins/<uuid:administration_id>/autosave/",
        checkin_views.checkin_autosave,
        name="checkin_autosave",
    ),
    path(
        "me/checkins/<uuid:administration_id>/submit/",
        checkin_views.checkin_submit,
        name="checkin_submit",
    ),
    path(
        "me/checkins/<uuid:administration_id>/done/",
        checkin_views.checkin_receipt,
        name="checkin_receipt",
    ),
    path("cases/<uuid:couple_id>/checkins/", case_views.case_checkins, name="case_checkins"),
    path(
        "cases/<uuid:couple_id>/checkins/schedule/",
        case_views.schedule_checkin,
        name="schedule_checkin",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/apply/", case_views.apply_schedule, name="apply_schedule"
    ),
    path("cases/<uuid:couple_id>/checkins/sets/", case_views.case_schedule, name="case_schedule"),
    path(
        "cases/<uuid:couple_id>/checkins/sets/reset/",
        case_views.case_schedule_reset,
        name="case_schedule_reset",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/pin/<uuid:partner_id>/",
        case_views.set_link_pin,
        name="set_link_pin",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/pin/<uuid:partner_id>/clear/",
        case_views.clear_link_pin,
        name="clear_link_pin",
    ),
    path("settings/schedule/", settings_views.schedule_settings, name="schedule_settings"),
    path(
        "settings/schedule/instruments/approve/",
        settings_views.approve_instrument,
        name="approve_instrument",
    ),
    path(
        "settings/schedule/instruments/withdraw/",
        settings_views.withdraw_instrument,
        name="withdraw_instrument",
    ),
    path(
        "settings/schedule/sets/",
        settings_views.save_schedule_settings,
        name="schedule_settings_save",
    ),
    path(
        "settings/schedule/reminders/",
        settings_views.save_reminder_settings,
        name="reminder_settings_save",
    ),
    path(
        "cases/<uuid:couple_id>/checkins/<uuid:administration_id>/cancel/",
        case_views.cancel_checkin,
        name="cancel_checkin",
    ),
]
