"""/healthz for load balancers and monitoring (docs/deploy.md, "Health")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from rebond.ops.health import PASSING, checks


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and a worker are alive, else 503 naming the failed check.

    Public (a load balancer has no account), so it says nothing but "ok" or what failed: no
    version, no counts, no clinical content, and it writes nothing.
    """
    results = checks()
    healthy = all(value in PASSING for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
