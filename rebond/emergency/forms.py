"""The clinic admin's emergency-access form; the action re-checks every choice.

The case is named by its reference (shown on the case page), never chosen from a list: the
page shows no case labels (issue 15 D18).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.emergency.actions import find_case
from rebond.emergency.models import DEFAULT_HOURS, MAX_HOURS
from rebond.lib.errors import ActionError
from rebond.lib.forms import Textarea

HOURS = (1, 4, DEFAULT_HOURS, 24, 48, MAX_HOURS)


class GrantForm(forms.Form):
    case = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=200,
        help_text=gettext_lazy(
            "Shown at the top of the case page, e.g. 3F2A-9C1B (or paste its address)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    grantee = forms.ChoiceField(
        label=gettext_lazy("Clinician to give access to"),
        help_text=gettext_lazy(
            "Choosing yourself needs a second clinic admin or a safety lead to approve."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Why this case must be opened now. Read in Rebond only, never e-mailed."
        ),
    )
    hours = forms.TypedChoiceField(
        label=gettext_lazy("For how long"),
        coerce=int,
        choices=[(h, str(h)) for h in HOURS],
        initial=DEFAULT_HOURS,
    )

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "grant-%s")
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        clinicians = User.objects.filter(clinic=clinic, is_active=True).order_by("display_name")
        cast(forms.ChoiceField, self.fields["grantee"]).choices = [
            ("", _("Choose a clinician"))
        ] + [(str(u.id), u.display_name) for u in clinicians]
        # Named in the page's language, so made per form.
        cast(forms.ChoiceField, self.fields["hours"]).choices = [
            (h, ngettext("%(count)s hour", "%(count)s hours", h) % {"count": h}) for h in HOURS
        ]

    def clean_case(self) -> Couple:
        try:
            couple = find_case(self.clinic, self.cleaned_data["case"])
        except ActionError as exc:
            raise forms.ValidationError(exc.errors["case"]) from exc
        if couple is None:
            raise forms.ValidationError(_("No open case of this clinic has this reference."))
        return couple
