"""The staff page's forms: a clinician's roles, and an invitation (name, e-mail, roles).

The actions re-check everything (rebond/staff/membership.py, rebond/staff/invitations.py); the
forms give each field its own clear message first.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget

from rebond.accounts.models import User
from rebond.lib.forms import NameField
from rebond.staff.rules import ROLE_HELP

NO_ROLE = "Choose at least one role."


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=User.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": NO_ROLE,
            "invalid_choice": "Choose among the roles listed.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "roles-%s")
        super().__init__(*args, **kwargs)

    def role_choices(self) -> list[tuple[BoundWidget, str]]:
        """Return each role's checkbox with the line saying what the role does."""
        return [(choice, ROLE_HELP[choice.data["value"]]) for choice in self["roles"]]

    def chosen_roles(self) -> set[str]:
        return set(self.cleaned_data["roles"])


class InviteForm(RolesForm):
    display_name = NameField(
        label="Name",
        max_length=120,
        help_text="As colleagues will see it, e.g. Dr Maya Okafor.",
        error_messages={"required": "Enter the clinician's name."},
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="The invitation link is sent here; it is also how they will log in.",
        error_messages={
            "required": "Enter the clinician's e-mail address.",
            "invalid": "Enter an e-mail address like name@example.org.",
        },
    )

    field_order = ("display_name", "email", "roles")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Enter the clinician's name.")
        return name

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            # An address is one account on the whole server (it is the login), so this says
            # no more than that it is taken: not by whom, nor at which practice.
            raise forms.ValidationError(
                "This e-mail address already has a Rebond account on this server, so it cannot "
                "be invited. If the person works here, find them in the lists on the staff page."
            )
        return email
