"""URLs of alerts, the case's safety page and the clinic's safety settings (clinicians only).

The alert inbox lives at /alerts/ because the out-of-band e-mail nudge links there.
"""

from django.urls import path

from rebond.alerts import views

urlpatterns = [
    path("alerts/", views.inbox, name="alerts"),
    path("alerts/<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<uuid:alert_id>/acknowledge/", views.acknowledge, name="alert_acknowledge"),
    path("alerts/<uuid:alert_id>/close/", views.close, name="alert_close"),
    path("alerts/<uuid:alert_id>/decision/", views.resume_case, name="alert_resume_case"),
    path("cases/<uuid:couple_id>/safety/", views.case_safety, name="case_safety"),
    path(
        "cases/<uuid:couple_id>/safety/concerns/<uuid:concern_id>/",
        views.update_concern,
        name="safety_concern_update",
    ),
    path(
        "cases/<uuid:couple_id>/safety/partners/<uuid:partner_id>/plans/new/",
        views.new_plan,
        name="safety_plan_new",
    ),
    path(
        "cases/<uuid:couple_id>/safety/plans/<uuid:plan_id>/",
        views.edit_plan,
        name="safety_plan_edit",
    ),
    path(
        "cases/<uuid:couple_id>/safety/plans/<uuid:plan_id>/delete/",
        views.delete_plan,
        name="safety_plan_delete",
    ),
    path("settings/safety/", views.safety_settings, name="safety_settings"),
    path("settings/safety/window/", views.set_window, name="safety_window"),
    path("settings/safety/resources/", views.add_resource, name="crisis_resource_add"),
    path(
        "settings/safety/resources/<int:resource_id>/",
        views.edit_resource,
        name="crisis_resource_edit",
    ),
    path(
        "settings/safety/resources/<int:resource_id>/delete/",
        views.delete_resource,
        name="crisis_resource_delete",
    ),
    path("settings/safety/leads/<uuid:user_id>/", views.set_lead, name="safety_lead_set"),
    path("settings/safety/rules/<str:rule_code>/", views.set_rule, name="alert_rule_set"),
]
