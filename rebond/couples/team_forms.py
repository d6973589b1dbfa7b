"""Forms of the case team. They parse input only: who may join a team, and why someone may
not, is decided in `rebond.couples.team`, whose messages are shown beside the field.

The clinician fields are selects of the clinic's eligible colleagues, parsed as plain text, so
a stale page (someone deactivated since it was shown) or a forged id reaches the action and
gets its specific answer rather than a generic "not one of the choices".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond.accounts.models import User
from rebond.couples.forms import Form
from rebond.couples.team import HANDOVER_NOTE_MAX_LENGTH
from rebond.lib.forms import Textarea

# Where a team form was sent from: the case page's team section, or the team page.
PLACES = ("case", "team")


class TeamForm(Form):
    """A team form: remembers the page it came from, to go back there."""

    place = forms.ChoiceField(
        choices=[(p, p) for p in PLACES], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, place: str = "team", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].initial = place

    @property
    def origin(self) -> str:
        value = self.data.get(self.add_prefix("place"), "") if self.is_bound else ""
        return value if value in PLACES else str(self.fields["place"].initial)


def _select(people: list[User], empty: str) -> forms.Select:
    return forms.Select(choices=[("", empty), *((str(p.pk), p.display_name) for p in people)])


class AddCoTherapistForm(TeamForm):
    clinician = forms.CharField(label=gettext_lazy("Therapist to add"), max_length=64)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "co")
        super().__init__(*args, **kwargs)
        self.fields["clinician"].widget = _select(candidates, _("Choose a therapist"))
        self.fields["clinician"].error_messages["required"] = _("Choose the therapist to add.")
        self.fields["clinician"].help_text = _(
            "Active therapists of the clinic who have finished enrolling. They can open the"
            " case at once, and are told by e-mail (the case reference only)."
        )


class RemoveCoTherapistForm(TeamForm):
    clinician = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "remove")
        super().__init__(*args, **kwargs)
        self.fields["clinician"].error_messages["required"] = _(
            "Choose the co-therapist to remove."
        )


class SupervisorForm(TeamForm):
    supervisor = forms.CharField(label=gettext_lazy("Supervisor"), max_length=64)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "supervisor")
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].widget = _select(candidates, _("Choose a supervisor"))
        self.fields["supervisor"].error_messages["required"] = _("Choose the supervisor.")
        self.fields["supervisor"].help_text = _(
            "Clinicians with the supervisor role who are not on this case's team. A supervisor"
            " sees the whole case."
        )


class RemoveSupervisorForm(TeamForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "unsupervise")
        super().__init__(*args, **kwargs)


class HandoverForm(TeamForm):
    new_primary = forms.CharField(label=gettext_lazy("New primary clinician"), max_length=64)
    note = forms.CharField(
        label=gettext_lazy("Handover note"),
        max_length=HANDOVER_NOTE_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "What the new primary clinician needs to take the case on. Kept with the case and"
            " shown to its clinicians only; never e-mailed."
        ),
    )
    previous_stays = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            ("stay", gettext_lazy("Stays on the team as a co-therapist")),
            ("leave", gettext_lazy("Leaves the team")),
        ],
    )

    def __init__(
        self, *args: Any, candidates: list[User], previous: User, actor: User, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "handover")
        super().__init__(*args, **kwargs)
        self.fields["new_primary"].widget = _select(candidates, _("Choose a therapist"))
        self.fields["new_primary"].error_messages["required"] = _("Choose who takes the case over.")
        self.fields["new_primary"].help_text = _(
            "A therapist of the clinic; a co-therapist of this case may take it over. They"
            " become a recipient of the case's open alerts."
        )
        self.fields["note"].error_messages["required"] = _(
            "Write a handover note: what the new primary clinician needs to take the case on."
        )
        stays = self._choice("previous_stays")  # worded for whoever hands over
        if previous.pk == actor.pk:
            stays.label = _("After the handover, you")
            stays.choices = [
                ("stay", _("Stay on the team as a co-therapist")),
                ("leave", _("Leave the team")),
            ]
            stays.error_messages["required"] = _("Choose whether you stay on the team.")
        else:
            name = previous.display_name
            stays.label = _("After the handover, %(name)s (the primary clinician now)") % {
                "name": name
            }
            stays.choices = [
                ("stay", _("Stays on the team as a co-therapist")),
                ("leave", _("Leaves the team")),
            ]
            stays.error_messages["required"] = _("Choose whether %(name)s stays on the team.") % {
                "name": name
            }
        if not previous.is_active:
            stays.initial = "leave"
            stays.help_text = _("%(name)s is deactivated: they can only leave.") % {
                "name": previous.display_name
            }

    def stays(self) -> bool:
        return bool(self.cleaned_data["previous_stays"] == "stay")
