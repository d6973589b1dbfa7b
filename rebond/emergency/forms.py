"""The clinic admin's emergency-access form; the action re-checks every choice."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.emergency.models import DEFAULT_HOURS, MAX_HOURS
from rebond.lib.forms import Textarea


class GrantForm(forms.Form):
    couple = forms.ChoiceField(label="Case")
    grantee = forms.ChoiceField(label="Clinician to give access to")
    reason = forms.CharField(
        label="Reason",
        widget=Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why this case must be opened now. Read in Rebond only, never e-mailed.",
    )
    hours = forms.TypedChoiceField(
        label="For how long",
        coerce=int,
        choices=[(h, f"{h} hours") for h in (1, 4, DEFAULT_HOURS, 24, 48, MAX_HOURS)],
        initial=DEFAULT_HOURS,
    )

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "grant-%s")
        super().__init__(*args, **kwargs)
        couples = Couple.objects.filter(clinic=clinic).exclude(status__in=Couple.INACTIVE_STATUSES)
        cast(forms.ChoiceField, self.fields["couple"]).choices = [("", "Choose a case")] + [
            # Labels are encrypted at rest: sorted here, not in SQL.
            (str(c.id), c.label)
            for c in sorted(couples, key=lambda c: c.label.casefold())
        ]
        clinicians = User.objects.filter(clinic=clinic, is_active=True).order_by("display_name")
        cast(forms.ChoiceField, self.fields["grantee"]).choices = [("", "Choose a clinician")] + [
            (str(u.id), u.display_name) for u in clinicians
        ]
