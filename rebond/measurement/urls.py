"""URLs of measurement-based care: the caseload and progress pages (clinicians, under /cases/)
and the partner's own summary (under /me/, private-link session only; listed in
rebond/tests/test_url_access.py)."""

from django.urls import path

from rebond.measurement import expected_recovery_views, views

clinician_patterns = [
    path("", views.caseload, name="caseload"),
    path("<uuid:couple_id>/progress/", views.couple_progress, name="couple_progress"),
    path(
        "<uuid:couple_id>/progress/charts/<str:slug>.svg",
        views.progress_chart,
        name="progress_chart",
    ),
    path("<uuid:couple_id>/progress/report.pdf", views.progress_report, name="progress_report"),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/summary.pdf",
        views.client_report,
        name="client_report",
    ),
]

settings_patterns = [
    path("settings/measurement/", views.measurement_settings, name="measurement_settings"),
    # Expected recovery from the clinic's closed cases (issue 17 item 2).
    path(
        "settings/measurement/expected-recovery/",
        expected_recovery_views.expected_recovery,
        name="expected_recovery",
    ),
    path(
        "settings/measurement/expected-recovery/status/",
        expected_recovery_views.expected_recovery_status,
        name="expected_recovery_status",
    ),
    path(
        "settings/measurement/expected-recovery/refit/",
        expected_recovery_views.expected_recovery_refit,
        name="expected_recovery_refit",
    ),
    path(
        "settings/measurement/expected-recovery/threshold/",
        expected_recovery_views.expected_recovery_threshold,
        name="expected_recovery_threshold",
    ),
]

partner_patterns = [
    path("me/progress/", views.my_progress, name="my_progress"),
    path("me/progress/charts/<str:code>.svg", views.my_progress_chart, name="my_progress_chart"),
]
