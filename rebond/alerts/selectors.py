"""Read-only queries of the alerts app that are not clinical fetches by a clinician.

Clinician fetches of alerts go through `rebond.accounts.access`; this module holds what a
partner may see (their own shared safety plans) and the priority banner's count.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rebond.accounts import access
from rebond.accounts.models import User
from rebond.alerts.models import Alert, SafetyPlan
from rebond.couples.models import Couple, Partner

BANNER_SEVERITIES = (Alert.Severity.HIGH, Alert.Severity.PRIORITY)


def plans_visible_to_partner(partner: Partner) -> QuerySet[SafetyPlan]:
    """Return the safety plans shared with this partner: their own, never the other's.

    A plan is shared only with the partner it was written for (DOMAIN 7.1 SafetyPlan, 7.5);
    the couple filter keeps a plan moved between couples by a bug out of reach too.
    """
    return SafetyPlan.objects.filter(
        partner_id=partner.pk, couple_id=partner.couple_id, shared_with_partner=True
    ).order_by("created_at")


def open_priority_alert_count(user: User) -> int:
    """Return how many HIGH or PRIORITY alerts addressed to the clinician are still open."""
    return (
        access.alerts_for_clinician(user)
        .filter(status__in=Alert.OPEN_STATUSES, severity__in=BANNER_SEVERITIES)
        .count()
    )


def open_alerts_on_case(user: User, couple: Couple) -> tuple[list[Alert], int]:
    """Return the case's open alerts the clinician may open, and how many others are open.

    The case page lists the first (issue 15 C14). The others were sent to other clinicians
    (someone added to the case after an alert was raised is not a recipient): the page says
    they exist, with no link and no detail, so nobody reads "no open safety concerns" then.
    """
    open_on_case = Alert.objects.open().filter(clinic_id=couple.clinic_id, couple=couple)
    visible = list(
        access.alerts_for_clinician(user)
        .filter(couple=couple, status__in=Alert.OPEN_STATUSES)
        .select_related("subject_partner")
    )
    return visible, open_on_case.count() - len(visible)
