"""URL map. Every URL needs a clinician's login unless its view is @login_not_required; the
public ones are listed in rebond/tests/test_url_access.py and nowhere else."""

from django.urls import include, path
from django.views.generic import RedirectView

from rebond.accounts import urls as account_urls
from rebond.interop.api import api_urls
from rebond.lib.javascript_catalogue import javascript_catalogue
from rebond.measurement import urls as measurement_urls
from rebond.ops.views import healthz

urlpatterns = [
    path(
        "",
        RedirectView.as_view(
            pattern_name="caseload", permanent=False, http_method_names=["get", "head"]
        ),
        name="home",
    ),
    path("accounts/", include("rebond.accounts.urls")),
    path("", include("rebond.accounts.clinic_urls")),
    path("cases/", include(measurement_urls.clinician_patterns)),
    path("cases/", include("rebond.couples.urls")),
    path("", include(measurement_urls.partner_patterns)),
    path("", include(measurement_urls.settings_patterns)),
    path("cases/", include("rebond.therapy.urls")),
    path("cases/", include("rebond.diary.clinician_urls")),
    path("", include("rebond.appointments.session_urls")),
    path("", include("rebond.intake.urls")),
    path("", include("rebond.appointments.consultation_urls")),
    path("", include("rebond.portal.urls")),
    path("", include("rebond.assessments.urls")),
    path("", include("rebond.diary.partner_urls")),
    path("", include("rebond.interop.partner_urls")),
    path("", include("rebond.alerts.urls")),
    path("", include("rebond.emergency.urls")),
    path("", include("rebond.interop.urls")),
    path("", include("rebond.staff.urls")),
    path("", include("rebond.shelf.urls")),
    path("", include("rebond.lifecycle.urls")),
    path("", include("rebond.outcomes.urls")),
    path("", include(account_urls.staff_patterns)),
    path("calendar/", include("rebond.appointments.urls")),
    path("api/v1/", api_urls()),
    path("healthz", healthz, name="healthz"),  # load balancers and monitoring (rebond/ops)
    # The scripts' words, in the language the page names (rebond/lib/javascript_catalogue.py).
    path("jsi18n/<str:language>/", javascript_catalogue, name="javascript_catalogue"),
]

# A clinician refused a clinic settings page is told who can change it (rebond/access/).
handler403 = "rebond.accounts.refusals.permission_denied"
