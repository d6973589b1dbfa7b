"""Read-only queries of the alerts app that are not clinical fetches by a clinician.

Clinician fetches of alerts go through `rebond.access` (and what a partner may see of safety
plans: `access.plans_visible_to_partner`, the case page's open alerts:
`access.open_alerts_on_case`); this module holds the priority banner's count.
"""

from __future__ import annotations

from rebond import access
from rebond.accounts.models import User
from rebond.alerts.models import Alert

BANNER_SEVERITIES = (Alert.Severity.HIGH, Alert.Severity.PRIORITY)


def open_priority_alert_count(user: User) -> int:
    """Return how many HIGH or PRIORITY alerts addressed to the clinician are still open."""
    return (
        access.alerts_for_clinician(user)
        .filter(status__in=Alert.OPEN_STATUSES, severity__in=BANNER_SEVERITIES)
        .count()
    )
