"""The private calendar feed a clinician's calendar app subscribes to (no login: the secret in
the address is the credential, like a private link; listed in rebond/tests/test_url_access.py).

An unknown, revoked or deactivated clinician's address gets the one plain 404, so an address
cannot be probed. The answer is a calendar file of neutral events (rebond/appointments/feeds.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from rebond.appointments import feeds


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """Answer a live feed's address with its calendar file; anything else with a 404."""
    body = feeds.read_feed(feed_token)
    if body is None:
        raise Http404("Not found.")
    # A subscribed calendar reads it again on its own schedule; like every page, no cache may
    # keep a copy (Cache-Control: no-store, rebond/lib/middleware.py).
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response
