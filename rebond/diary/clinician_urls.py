"""URLs of a case's diary for its clinicians (under /cases/)."""

from django.urls import path

from rebond.diary import clinician_views

urlpatterns = [
    path("<uuid:couple_id>/diary/", clinician_views.case_diary, name="case_diary"),
    path("<uuid:couple_id>/diary/plan/", clinician_views.set_plan, name="case_diary_plan"),
    path(
        "<uuid:couple_id>/diary/<uuid:partner_id>/chart.svg",
        clinician_views.diary_chart,
        name="case_diary_chart",
    ),
]
