"""Response headers every Rebond page needs beyond Django's SecurityMiddleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Forbid caching of every dynamic response (ASVS 5.0 14.3.2).

    Pages show clinical data; a shared computer's browser cache or a proxy must not keep them.
    Static files are served earlier by WhiteNoise and keep their own caching headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cache-Control", "no-store")
        return response
