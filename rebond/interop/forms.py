from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond.lib.forms import NameField


class TokenForm(forms.Form):
    name = NameField(
        max_length=80,
        label=gettext_lazy("What is this token for?"),
        help_text=gettext_lazy("E.g. “Clinic dashboard”."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file of historical scores"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as CSV UTF-8.")
            ) from exc
