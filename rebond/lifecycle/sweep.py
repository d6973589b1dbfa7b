"""The daily retention run: tell each clinic's admins ahead of time, then erase what is due.

For each clinic that chose a retention period (a clinic that keeps closed cases indefinitely
is never touched):
1. every day on which closed cases will be erased within the notice period gets one
   `RetentionNotice` (in-app, on the cases-due page) and one e-mail to each active clinic
   admin: a count, a date and a link, never a case, a name or a label;
2. the cases whose erasure day has come are erased (rebond/lifecycle/erasure.py), each in its
   own transaction, exactly those;
3. so are the consultation requests that never became a case (declined or spam) once the same
   period has passed since the decision (no notice: there is no case to announce).

Idempotent: a notice exists once per clinic and day (a unique constraint), an unsent e-mail is
retried on the next run, and an erased case is no longer found. Safe to run every hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from rebond import access
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import Clinic
from rebond.couples.models import Couple
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_today
from rebond.lifecycle.erasure import erase_case, erase_request
from rebond.lifecycle.models import ErasureReason, RetentionNotice, RetentionPolicy
from rebond.lifecycle.retention import DueCase, cases_coming_due, requests_due

NOTICE_SUBJECT = gettext_noop("Closed cases will be erased under your retention policy")


@dataclass(frozen=True)
class SweepCounts:
    notices: int = 0
    emails: int = 0
    erased: int = 0
    requests_erased: int = 0


def notice_body(notice: RetentionNotice) -> str:
    """Return the e-mail's text: how many, on which day, where to look; nothing personal (in
    the active language)."""
    link = f"{settings.SITE_URL}{reverse('retention_due')}"
    when = ngettext(
        "%(count)s closed case of your clinic will be erased on %(on)s, when the retention"
        " period your clinic set for closed cases ends.",
        "%(count)s closed cases of your clinic will be erased on %(on)s, when the retention"
        " period your clinic set for closed cases ends.",
        notice.case_count,
    ) % {"count": notice.case_count, "on": dateformat.format(notice.erase_on, "d M Y")}
    where = _("Which cases, and the clinic's retention policy, are in Rebond: %(link)s") % {
        "link": link
    }
    return f"{when}\n\n{where}\n"


def _give_notices(clinic: Clinic, coming: list[DueCase], today: date) -> int:
    made = 0
    ahead = [case for case in coming if case.erase_on > today]
    for erase_on, cases in groupby(ahead, key=lambda case: case.erase_on):
        try:
            with transaction.atomic():
                RetentionNotice.objects.create(
                    clinic=clinic, erase_on=erase_on, case_count=len(list(cases))
                )
        except IntegrityError:
            continue  # told already, on an earlier run
        made += 1
    return made


def _send_notices() -> int:
    """E-mail each clinic admin every notice not yet sent; return how many e-mails went out."""
    sent = 0
    for notice in RetentionNotice.objects.filter(emailed_at=None).select_related("clinic"):
        with transaction.atomic():
            claimed = RetentionNotice.objects.filter(pk=notice.pk, emailed_at=None).update(
                emailed_at=now()
            )
            if not claimed:
                continue  # another run sends it
            messages = []
            admins = access.clinic_admins(notice.clinic_id).select_related("clinic")
            for admin in admins.order_by("email"):
                # Each admin reads it in their own language.
                with translation.override(admin.preferred_language):
                    body = notice_body(notice)
                    messages.append(
                        clinic_email(notice.clinic, _(NOTICE_SUBJECT), body, [admin.email])
                    )
            # Inside the claim: a failed send rolls the claim back, and the next run retries.
            sent += get_connection().send_messages(messages) or 0
    return sent


def sweep_clinic(clinic: Clinic, today: date | None = None) -> SweepCounts:
    """Give the clinic's notices and erase its cases due today or before."""
    policy = RetentionPolicy.of_clinic(clinic.pk)
    if policy.keeps_indefinitely:
        return SweepCounts()
    today = today or clinic_today(clinic)
    coming = cases_coming_due(clinic, policy, today)
    notices = _give_notices(clinic, coming, today)
    erased = 0
    for case in coming:
        if not case.is_due(today):
            continue
        couple = Couple.objects.filter(pk=case.couple_id).first()
        if couple is None:
            continue  # erased meanwhile
        erase_case(couple, actor_or_none=None, reason=ErasureReason.RETENTION_ENDED)
        erased += 1
    requests = 0
    for request in ConsultationRequest.objects.filter(pk__in=requests_due(clinic, policy, today)):
        erase_request(request, reason=ErasureReason.RETENTION_ENDED)
        requests += 1
    return SweepCounts(notices=notices, erased=erased, requests_erased=requests)


def sweep(today_of: dict[object, date] | None = None) -> SweepCounts:
    """Run the retention sweep for every clinic with a retention period; return the counts.

    `today_of` maps a clinic id to the day to take as today (tests); else the clinic's today.
    """
    notices = erased = requests = 0
    policies = RetentionPolicy.objects.exclude(keep_years=None).select_related("clinic")
    for policy in policies:
        today = (today_of or {}).get(policy.clinic_id)
        counts = sweep_clinic(policy.clinic, today)
        notices += counts.notices
        erased += counts.erased
        requests += counts.requests_erased
    return SweepCounts(
        notices=notices, emails=_send_notices(), erased=erased, requests_erased=requests
    )
