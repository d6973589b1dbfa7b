from django.urls import path

from rebond.emergency import views

urlpatterns = [
    path("settings/emergency-access/", views.emergency_access, name="emergency_access"),
    path("settings/emergency-access/<uuid:grant_id>/end/", views.end, name="emergency_access_end"),
    path(
        "settings/emergency-access/<uuid:grant_id>/approve/",
        views.approve,
        name="emergency_access_approve",
    ),
]
