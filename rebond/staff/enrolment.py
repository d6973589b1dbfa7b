"""Accept an invitation: the invited clinician sets their password, once (issue 16).

Called by the enrolment page (rebond/staff/views.py) with the invitation its link opened.
The invitation is claimed by a conditional UPDATE on its own row (unused, not cancelled, not
expired, still holding the hash of the link that was opened), so two requests racing with
the same link cannot both set a password: the database lets one UPDATE match, on SQLite
and PostgreSQL alike. The authenticator app comes next; until it is confirmed the account
reaches nothing (rebond/accounts/middleware.SecondFactorMiddleware).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.timezone import now

from rebond import audit
from rebond.accounts.models import User
from rebond.staff.models import Invitation


def accept(invitation: Invitation, password: str) -> User | None:
    """Spend the invitation and give its clinician `password`; return them, or None if the
    link was used, cancelled, replaced or expired meanwhile (then nothing changes)."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            token_hash=invitation.token_hash,
            used_at=None,
            cancelled_at=None,
            expires_at__gt=now(),
        ).update(used_at=now())
        if claimed != 1:
            return None
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        if not user.is_active:
            transaction.set_rollback(True)
            return None
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.log(
            actor=user,
            action="staff.invitation.accept",
            obj=invitation,
            clinic_id=invitation.clinic_id,
            fields=["password"],
        )
    return user
