"""The clinician's choice for a case: whether to offer the diary, and how often to remind
its partners (issue 19 item 1). Never more than daily: the choices stop at "once a day".

Only a clinician on the case chooses (rebond/access: a colleague, another clinic or a clinic
admin gets a 404). Every change is audited, naming the fields changed, never their values.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access
from rebond.accounts.models import User
from rebond.audit.updates import audited_update
from rebond.diary.models import DiaryPlan
from rebond.lib.errors import ActionError

CLOSED_CASE = gettext_noop("This case is closed: the diary cannot be offered on it.")


@transaction.atomic
def set_diary_plan(
    clinician: User, couple_id: uuid.UUID | str, offered: bool, prompt: str
) -> DiaryPlan:
    """Offer the diary on the case or stop offering it, and set its reminders.

    Stopping leaves every entry where it is: each partner still reads their own.
    """
    couple = access.get_couple_for_clinician(clinician, couple_id)
    if prompt not in DiaryPlan.Prompt.values:
        raise ActionError(
            _("Choose how often to remind them."), {"prompt": [_("Choose one of the options.")]}
        )
    if offered and not couple.is_active:
        raise ActionError(_(CLOSED_CASE))
    plan = DiaryPlan.objects.select_for_update().filter(couple=couple).first()
    plan = plan or DiaryPlan(couple=couple)
    values: dict[str, object] = {"offered": offered, "prompt": prompt}
    if plan._state.adding or any(getattr(plan, k) != v for k, v in values.items()):
        values["updated_by"] = clinician
    audited_update(plan, values, clinician, "diary.plan.set", clinic_id=couple.clinic_id)
    return plan
