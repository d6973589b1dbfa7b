"""URLs of the clinic's outcome benchmarks (clinic admins and supervisors: rebond/access/
outcomes.py; classified in rebond/tests/security/policy.py)."""

from django.urls import path

from rebond.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("outcomes/benchmarks/", views.benchmarks, name="benchmarks"),
    path("outcomes/benchmarks/chart.svg", views.benchmarks_chart, name="benchmarks_chart"),
    path("outcomes/benchmarks/report.pdf", views.benchmarks_report, name="benchmarks_report"),
]
