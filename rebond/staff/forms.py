"""The enrolment page's form: the invited clinician chooses their password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond.accounts.models import User

# Long enough for any passphrase (ASVS 6.2.9 asks for at least 64), short enough that hashing
# a submitted value costs nothing unusual.
PASSWORD_MAX_LENGTH = 4096


class EnrolmentPasswordForm(forms.Form):
    """A new password, typed twice, checked against AUTH_PASSWORD_VALIDATORS for this user."""

    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput,
    )
    password_again = forms.CharField(
        label=gettext_lazy("Type the password again"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput,
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again is not None and password != again:
            self.add_error(
                "password_again", _("The two passwords are not the same. Type it again.")
            )
        return cleaned


def password_rules() -> list[str]:
    """Return the password rules in force (AUTH_PASSWORD_VALIDATORS), as sentences to show."""
    return list(password_validation.password_validators_help_texts())
