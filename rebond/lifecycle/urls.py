"""Retention and erasure pages: the clinic's retention policy and the cases due (clinic admins),
and one partner's erasure page, reached from the case."""

from django.urls import path

from rebond.lifecycle import views

urlpatterns = [
    path("settings/retention/", views.retention_settings, name="retention_settings"),
    path("settings/retention/due/", views.retention_due, name="retention_due"),
    path(
        "cases/<uuid:couple_id>/partners/<uuid:partner_id>/erasure/",
        views.partner_erasure,
        name="partner_erasure",
    ),
    path(
        "cases/<uuid:couple_id>/partners/<uuid:partner_id>/erasure/approve/",
        views.partner_erasure_approve,
        name="partner_erasure_approve",
    ),
    path(
        "cases/<uuid:couple_id>/partners/<uuid:partner_id>/erasure/cancel/",
        views.partner_erasure_cancel,
        name="partner_erasure_cancel",
    ),
]
