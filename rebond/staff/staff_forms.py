"""The staff page's forms: a clinician's roles, and an invitation (name, e-mail, roles).

The actions check the rules (rebond/staff/membership.py; rebond/staff/invitations.py for the
name, the address and whether it is free) and their errors are shown on these forms' fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import User
from rebond.lib.forms import NameField
from rebond.staff.rules import ROLE_HELP

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NO_ROLE = _("Choose at least one role.")


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=User.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": NO_ROLE,
            "invalid_choice": _("Choose among the roles listed."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "roles-%s")
        super().__init__(*args, **kwargs)

    def role_choices(self) -> list[tuple[BoundWidget, StrOrPromise]]:
        """Return each role's checkbox with the line saying what the role does."""
        return [(choice, ROLE_HELP[choice.data["value"]]) for choice in self["roles"]]

    def chosen_roles(self) -> set[str]:
        return set(self.cleaned_data["roles"])


class InviteForm(RolesForm):
    display_name = NameField(
        label=_("Name"),
        max_length=120,
        help_text=_("As colleagues will see it, e.g. Dr Maya Okafor."),
        error_messages={"required": _("Enter the clinician's name.")},
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The invitation link is sent here. It is also how they will log in."),
        error_messages={
            "required": _("Enter the clinician's e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
    )

    field_order = ("display_name", "email", "roles")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)
