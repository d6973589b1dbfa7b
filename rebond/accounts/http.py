"""Typed requests for views behind LoginRequiredMiddleware (after healthchecks' accounts/http)."""

from __future__ import annotations

from django.http import HttpRequest

from rebond.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is a logged-in clinician; the middleware guarantees it."""

    user: User
