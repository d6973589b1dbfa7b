"""The project's URLs plus a stand-in for the appointment page of a case (URL name
`appointment`), which another part of issue 18 provides: the calendar links to it by name."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from rebond.urls import urlpatterns as project_urlpatterns


def _appointment_page(
    request: HttpRequest, couple_id: object, appointment_id: object
) -> HttpResponse:
    return HttpResponse("The appointment page.")


urlpatterns = [
    *project_urlpatterns,
    path(
        "cases/<uuid:couple_id>/appointments/<uuid:appointment_id>/",
        _appointment_page,
        name="appointment",
    ),
]
