"""The clinic's own settings page, beside the other clinic settings under /settings/."""

from django.urls import path

from rebond.accounts import clinic_views

urlpatterns = [
    path("settings/clinic/", clinic_views.clinic_settings, name="clinic_settings"),
]
