"""Forms of a clinician's own account: forgotten password, new password, password change, the
language of their pages, and a clinic admin's reset of a colleague's second factor.

Passwords are checked by AUTH_PASSWORD_VALIDATORS (at least 12 characters, not common, not
like the account's name or address; no composition rules, ASVS 6.2) through Django's forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import User
from rebond.lib import language
from rebond.lib.forms import Textarea

# django-stubs makes SetPasswordForm generic in the account model; Django's class is not.
if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[User]
else:
    _SetPasswordForm = SetPasswordForm

LENGTH_HINT = _("At least 12 characters. A few unrelated words make a strong one you remember.")


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address you log in with."),
            "invalid": _("Enter an e-mail address in the form name@example.org."),
        },
    )


def _label_new_password_fields(form: _SetPasswordForm) -> None:
    form.fields["new_password1"].label = _("New password")
    form.fields["new_password1"].help_text = LENGTH_HINT
    form.fields["new_password1"].error_messages["required"] = _("Enter a new password.")
    form.fields["new_password2"].label = _("New password again")
    form.fields["new_password2"].help_text = ""
    form.fields["new_password2"].error_messages["required"] = _("Enter the new password again.")


MISMATCH = _("The two new passwords are not the same. Please type the new password twice.")


class NewPasswordForm(_SetPasswordForm):
    """The new password after a reset link (Django's SetPasswordForm, Rebond's wording)."""

    error_messages = {  # noqa: RUF012 - Django's own class attribute
        **SetPasswordForm.error_messages,
        "password_mismatch": MISMATCH,
    }

    def validate_password_for_user(self, user: User, password_field_name: str = "") -> None:
        # The rules judge the new password itself: the error goes by its field, not the copy.
        super().validate_password_for_user(user, "new_password1")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _label_new_password_fields(self)


class ChangePasswordForm(PasswordChangeForm):
    """Change one's own password: the current one first (ASVS 6.2.3)."""

    error_messages = {  # noqa: RUF012 - Django's own class attribute
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("That is not your current password. Please enter it again."),
        "password_mismatch": MISMATCH,
    }

    def validate_password_for_user(self, user: User, password_field_name: str = "") -> None:
        super().validate_password_for_user(user, "new_password1")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["old_password"].error_messages["required"] = _("Enter your current password.")
        # The error summary takes focus after a failed submit, not the first field.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        _label_new_password_fields(self)


class LanguageForm(forms.Form):
    """The language of the clinician's own pages and e-mails; empty: the clinic's default."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Your pages and the e-mails Rebond sends you are written in it."),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, *args: Any, clinic_default: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "language-%s")
        super().__init__(*args, **kwargs)
        # Translators: %(name)s is a language's name in its own language, e.g. "Español".
        default = gettext("The clinic's default (%(name)s)") % {
            "name": language.name_of(clinic_default)
        }
        field = cast(forms.ChoiceField, self.fields["language"])
        field.choices = [("", default), *language.choices()]


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: lost phone, reported by phone call on 3 March. Kept in the"
            " audit trail; not e-mailed."
        ),
        error_messages={"required": _("Say why the second factor is reset (kept in the audit).")},
    )
