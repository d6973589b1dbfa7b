"""Read-only queries of the alerts app that are not clinical fetches by a clinician.

Clinician fetches of alerts go through `rebond.access` (and what a partner may see of safety
plans: `access.plans_visible_to_partner`); this module holds the priority banner's count and
the case page's open alerts.
"""

from __future__ import annotations

from rebond import access
from rebond.accounts.models import User
from rebond.alerts.models import Alert
from rebond.couples.models import Couple

OPEN_STATUSES = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)
BANNER_SEVERITIES = (Alert.Severity.HIGH, Alert.Severity.PRIORITY)


def open_priority_alert_count(user: User) -> int:
    """Return how many HIGH or PRIORITY alerts addressed to the clinician are still open."""
    return (
        access.alerts_for_clinician(user)
        .filter(status__in=OPEN_STATUSES, severity__in=BANNER_SEVERITIES)
        .count()
    )


def open_alerts_on_case(user: User, couple: Couple) -> tuple[list[Alert], int]:
    """Return the case's open alerts the clinician may open, and how many others are open.

    The case page lists the first (issue 15 C14). The others were sent to other clinicians
    (someone added to the case after an alert was raised is not a recipient): the page says
    they exist, with no link and no detail, so nobody reads "no open safety concerns" then.
    """
    open_on_case = Alert.objects.filter(
        clinic_id=couple.clinic_id, couple=couple, status__in=OPEN_STATUSES
    )
    visible = list(
        access.alerts_for_clinician(user)
        .filter(couple=couple, status__in=OPEN_STATUSES)
        .select_related("subject_partner")
    )
    return visible, open_on_case.count() - len(visible)
