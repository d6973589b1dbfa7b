"""Background delivery of alert notifications and the escalation sweep (django-tasks).

E-mails to clinicians are written in each one's language (`User.preferred_language`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from rebond import access
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import Clinic
from rebond.alerts import delivery, rules

CORE_RULES_SUBJECT = gettext_noop("Rebond turned your clinic's core safety alert rules back on")


@task()
def deliver_alert_notifications() -> int:
    """Send every pending alert notification; safe to run in several workers at once."""
    return delivery.deliver_notifications()


@task()
def escalate_overdue_alerts() -> int:
    """Escalate HIGH alerts left unacknowledged past their clinic's window."""
    return delivery.escalate_overdue_alerts()


def core_rules_notice(rule_codes: list[str]) -> str:
    """Return the notice to a clinic's admins: which rules were turned back on, and why (in
    the active language)."""
    labels = [rule.label for rule in rules.RULES if rule.code in rule_codes]
    listed = "".join(f"- {label}\n" for label in labels)
    url = f"{settings.SITE_URL}{reverse('safety_settings')}"
    switched = _("Your clinic had switched off these safety alert rules:")
    why = _(
        "They are core safety rules and are now always on: a clinic can only make them "
        "stricter. Rebond turned them back on during an update; the change is in the audit "
        "trail."
    )
    where = _("Safety settings: %(url)s") % {"url": url}
    return f"{switched}\n{listed}\n{why}\n\n{where}\n"


@task()
def tell_admins_core_rules_reenabled(clinic_id: str, rule_codes: list[str]) -> int:
    """E-mail a clinic's admins that its core safety rules were turned back on (issue 15 B6)."""
    admins = access.clinic_admins(clinic_id).select_related("clinic").order_by("email")
    clinic = Clinic.objects.filter(id=clinic_id).first()
    messages = []
    for admin in admins:
        with translation.override(admin.preferred_language):
            body = core_rules_notice(rule_codes)
            messages.append(clinic_email(clinic, _(CORE_RULES_SUBJECT), body, [admin.email]))
    return get_connection().send_messages(messages) or 0
