"""The shelf's forms: a page (title, Markdown, published), and giving a page to a partner."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rebond import access
from rebond.couples.models import Couple
from rebond.lib.forms import NameField, Textarea
from rebond.shelf.actions import TO_A, TO_B, TO_BOTH, PageDraft
from rebond.shelf.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, ShelfPage


class Form(forms.Form):
    """A form whose labels end as written (no colon added): the pages' own style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PageForm(Form):
    title = NameField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": _("Give the page a title.")},
    )
    body = forms.CharField(
        label=_("Page"),
        max_length=BODY_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: a blank line between paragraphs, # for a heading, - for a list, "
            "**bold**, *italic*, [words](https://address) for a link. No pictures or HTML: "
            "they are shown as plain text."
        ),
        error_messages={"required": _("Write the page.")},
    )
    published = forms.BooleanField(
        label=_("Published: clinicians may give it to partners"),
        required=False,
    )

    def draft(self) -> PageDraft:
        data = self.cleaned_data
        return PageDraft(title=data["title"], body=data["body"], published=data["published"])


class AssignForm(Form):
    page = forms.ModelChoiceField(
        label=_("Page"),
        queryset=ShelfPage.objects.none(),
        empty_label=_("Choose a page"),
        error_messages={
            "required": _("Choose a page."),
            "invalid_choice": _("Choose a published page."),
        },
    )
    to = forms.ChoiceField(
        label=_("For"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who reads it."),
            "invalid_choice": _("Choose who reads it."),
        },
    )

    def __init__(self, couple: Couple, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[ShelfPage]", self.fields["page"]
        ).queryset = access.pages_to_give(couple)
        names = {p.role: p.display_name for p in couple.partners.all()}
        choices = [(role, names[role]) for role in (TO_A, TO_B) if role in names]
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            *choices,
            (TO_BOTH, gettext("Both")),
        ]
