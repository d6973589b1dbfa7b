"""The priority banner: how many HIGH or PRIORITY alerts wait for the logged-in clinician.

Lazy: the count is one query, run only when a page actually renders the banner (base.html's
clinician header). Public and partner pages replace that header, so they never run it and
never show it, whoever else is logged in in the same browser.
"""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from rebond.alerts.selectors import open_priority_alert_count


class PriorityAlerts:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def count(self) -> int:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated or user.clinic_id is None:
            return 0
        return open_priority_alert_count(user)

    def __bool__(self) -> bool:
        return self.count > 0


def priority_alerts(request: HttpRequest) -> dict[str, PriorityAlerts]:
    """Add `priority_alerts` (lazy) to every template context."""
    return {"priority_alerts": PriorityAlerts(request)}
