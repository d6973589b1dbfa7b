"""URL map. Every URL needs a clinician's login unless its view is @login_not_required; the
public ones are listed in rebond/tests/test_url_access.py and nowhere else."""

from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="caseload", permanent=False), name="home"),
    path("accounts/", include("rebond.accounts.urls")),
    path("cases/", include("rebond.couples.urls")),
    path("cases/", include("rebond.therapy.urls")),
    path("", include("rebond.intake.urls")),
    path("", include("rebond.portal.urls")),
    path("", include("rebond.assessments.urls")),
    path("", include("rebond.alerts.urls")),
]
