"""Builders for the alert tests: alerts raised the real way (a submitted check-in) or, where
only the rows matter (query counts), written directly."""

from __future__ import annotations

from django.test import Client

from rebond.accounts.models import User
from rebond.alerts.models import Alert
from rebond.assessments import actions as assessments
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner
from rebond.test import sign_in

# PHQ-9 scored values (Kroenke, Spitzer & Williams 2001); item 9 last.
NOT_AT_ALL = dict.fromkeys(range(1, 10), 0)
ITEM9_SEVERAL_DAYS = {**NOT_AT_ALL, 9: 1}  # PRIORITY
ITEM9_MORE_THAN_HALF = {**NOT_AT_ALL, 9: 2}  # HIGH


def answer(
    clinician: User, couple: Couple, partner: Partner, values: dict[int, int], code: str = "PHQ-9"
) -> Submission:
    """Schedule an instrument for both partners and submit `partner`'s answers."""
    administration = next(
        a
        for a in assessments.schedule_instrument(clinician, couple.id, code)
        if a.partner_id == partner.id
    )
    return assessments.submit_administration(
        partner, administration.id, administration.submission_key, values
    ).submission


def raise_alert(clinician: User, couple: Couple, values: dict[int, int], role: str = "A") -> Alert:
    """Raise an alert the real way: a partner submits a PHQ-9."""
    answer(clinician, couple, couple.partners.get(role=role), values)
    return Alert.objects.filter(couple=couple).latest("created_at")


def make_alert(
    couple: Couple, recipients: list[User], severity: int = Alert.Severity.HIGH
) -> Alert:
    """Write an alert row directly (for list and count tests that need many)."""
    alert = Alert.objects.create(
        clinic_id=couple.clinic_id,
        couple=couple,
        subject_partner=couple.partners.get(role="A"),
        type=Alert.Type.SUICIDE_RISK,
        severity=severity,
        rule="phq9_item9",
    )
    alert.recipients.set(recipients)
    return alert


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client
