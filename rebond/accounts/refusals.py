"""The 403 page: a clinician refused a clinic settings page is told who can change it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from rebond.access import SettingsRefused


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Render the project's 403 (settings.py: `handler403` in rebond/urls.py)."""
    if isinstance(exception, SettingsRefused):
        context = {
            "title": exception.title,
            "deciders": exception.deciders(),
        }
        return render(request, "accounts/settings_refused.html", context, status=403)
    return defaults.permission_denied(request, exception)
