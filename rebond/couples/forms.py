"""Forms of the case page. They parse input only; every rule lives in `couples.actions`.

An `ActionError` from an action is mapped back onto the form with
`rebond.lib.forms.add_action_errors`, so the
page shows the action's own words beside the field they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rebond.accounts.models import SecretsPolicy
from rebond.couples.actions import (
    PARTNER_SUMMARY_MAX_LENGTH,
    VOID_REASON_MAX_LENGTH,
    ChannelDraft,
    InjuryDraft,
    InjurySharing,
    language_refused,
    safe_window_errors,
)
from rebond.couples.models import ContactChannel, Couple, Injury, Partner
from rebond.lib import language
from rebond.lib.forms import NameField, Textarea

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNKNOWN = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]
FORMULATION = [("", _("Not decided yet")), ("yes", _("Yes")), ("no", _("No"))]


class Form(forms.Form):
    """A form whose labels carry no trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(name)
        return field


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CaseDetailsForm(Form):
    label = NameField(max_length=120, help_text=_("Your short name for the case."))
    relationship_agreement = forms.ChoiceField(
        choices=Couple.Agreement.choices, required=False, label=_("Relationship agreement")
    )
    relationship_agreement_notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Notes on the agreement"),
    )
    secrets_policy = forms.ChoiceField(
        choices=SecretsPolicy.choices, widget=forms.RadioSelect, label=_("Secrets policy")
    )
    modality = forms.ChoiceField(choices=Couple.Modality.choices, label=_("Modality"))

    @classmethod
    def for_couple(cls, couple: Couple) -> CaseDetailsForm:
        return cls(
            initial={
                "label": couple.label,
                "relationship_agreement": couple.relationship_agreement,
                "relationship_agreement_notes": couple.relationship_agreement_notes,
                "secrets_policy": couple.secrets_policy,
                "modality": couple.modality,
            },
            prefix="case",
        )


# A field holding one partner's details: the clinician's browser must not offer partner A's
# name, address or safe times when the form is filled in for partner B (issue 15 A4).
NOT_REMEMBERED = forms.TextInput(attrs={"autocomplete": "off"})


class PartnerForm(Form):
    display_name = NameField(max_length=120, label=_("Name"), widget=NOT_REMEMBERED)
    pronouns = NameField(max_length=40, required=False, label=_("Pronouns"))
    # One of the languages Rebond ships (rebond/lib/language.py): the partner's pages, e-mails
    # and reports are in it. A code stored before it was a choice (or by an import) and not
    # shipped is offered as it is, so saving a new name does not change it unasked.
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("The language of this partner's pages, e-mails and reports."),
        initial="en",
    )

    def __init__(self, *args: Any, current_language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self._choice("language")
        field.choices = language.choices()
        if current_language and not language.supported(current_language):
            field.choices = [
                *field.choices,
                (
                    current_language,
                    gettext_now("%(code)s (not offered: pages use the clinic's language)")
                    % {"code": current_language},
                ),
            ]
        # Django's "not one of the available choices", naming the languages offered instead.
        field.error_messages["invalid_choice"] = language_refused("%(value)s")

    @classmethod
    def for_partner(cls, partner: Partner) -> PartnerForm:
        return cls(
            initial={
                "display_name": partner.display_name,
                "pronouns": partner.pronouns,
                "language": partner.language,
            },
            prefix=f"partner-{partner.role}",
            current_language=partner.language,
        )


class ChannelForm(Form):
    kind = forms.ChoiceField(choices=ContactChannel.Kind.choices, label=_("Kind"))
    value = forms.CharField(max_length=254, label=_("Address or number"), widget=NOT_REMEMBERED)
    safe_to_contact = forms.ChoiceField(
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
        label=_("Safe to contact"),
        help_text=_("Nothing is ever sent through a channel that is not safe."),
    )
    safe_hours = forms.CharField(
        max_length=200,
        required=False,
        label=_("Safe hours"),
        help_text=_("e.g. weekdays 9:00 to 12:00"),
        widget=NOT_REMEMBERED,
    )
    may_leave_message = forms.ChoiceField(
        choices=YES_NO, initial="no", widget=forms.RadioSelect, label=_("May leave a message")
    )
    # The window for automated messages about appointments, as clock times at the clinic; the
    # wording is the consultation request form's (rebond/intake/forms.py). Both or neither is
    # the action's rule (couples.actions.check_safe_window), shown beside these fields.
    safe_from = forms.TimeField(
        label=pgettext_lazy("a clock time", "From"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter a time like 18:00.")},
    )
    safe_until = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter a time like 20:00.")},
    )
    may_mention_therapy = forms.BooleanField(
        label=_("Messages may say they come from the practice and what they are about"),
        help_text=_("Unticked, messages say only “Your appointment on …”."),
        required=False,
    )

    WINDOW_FIELDS = ("safe_from", "safe_until")

    def __init__(self, *args: Any, clinic_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clinic_name:
            self.fields["may_mention_therapy"].label = gettext_now(
                "Messages may say they come from %(clinic)s and what they are about"
            ) % {"clinic": clinic_name}

    def leading_fields(self) -> list[forms.BoundField]:
        """Return the fields shown before the window, which has a fieldset of its own."""
        later = {*self.WINDOW_FIELDS, "may_mention_therapy"}
        return [self[name] for name in self.fields if name not in later]

    def window_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.WINDOW_FIELDS]

    def clean(self) -> dict[str, Any]:
        """Show an incomplete window beside its fields together with any other mistake."""
        cleaned: dict[str, Any] = super().clean() or {}
        if "safe_from" in cleaned and "safe_until" in cleaned:  # Both parsed.
            for name, messages in safe_window_errors(
                cleaned["safe_from"], cleaned["safe_until"]
            ).items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def draft(self) -> ChannelDraft:
        data = self.cleaned_data
        return ChannelDraft(
            kind=data["kind"],
            value=data["value"],
            safe_to_contact=data["safe_to_contact"] == "yes",
            safe_hours=data["safe_hours"],
            may_leave_message=data["may_leave_message"] == "yes",
            safe_from=data["safe_from"],
            safe_until=data["safe_until"],
            may_mention_therapy=data["may_mention_therapy"],
        )


class IntakeGoalForm(Form):
    intake_goal = forms.ChoiceField(
        choices=Partner.Goal.choices, required=False, label=_("Intake goal")
    )


class ConsentForm(Form):
    document = forms.UUIDField(widget=forms.HiddenInput)


# Who reads each field of an injury, said beside it (issue 15 A1; rebond/access/ has the
# whole table). Partners never read anything but the summary, and only when it is shared.
CLINICIANS_ONLY = _("Seen by: the clinicians on the case only.")
SHARE_HELP = _(
    "Seen by: this partner, only once both partners know of it (known to both, or disclosed in"
    " a joint session). They see a calm line and your summary below, nothing else."
)
SHARE_HURTFUL_HELP = _(
    "Seen by: this partner, only once both partners know of it (known to both, or disclosed in"
    " a joint session). They see a calm line and your summary below, nothing else. Never for a"
    " threat to safety."
)
SUMMARY_HELP = _(
    "Seen by: each partner you share the injury with. Write it for them to read; your other"
    " notes on this injury stay with the clinicians."
)


def _clinicians_only(text: Any) -> Any:
    """Return `text` followed by who sees the field, in the reader's language."""
    # Translators: a field's hint, then "Seen by: the clinicians on the case only."
    return format_lazy(_("{hint} {seen_by}"), hint=text, seen_by=CLINICIANS_ONLY)


class SharingFields(Form):
    """What partners see of an injury: the clinician's choice for each partner, and the words."""

    shared_with_hurt_partner = forms.BooleanField(
        required=False, label=_("Share with the hurt partner"), help_text=SHARE_HELP
    )
    shared_with_hurtful_partner = forms.BooleanField(
        required=False, label=_("Share with the hurtful partner"), help_text=SHARE_HURTFUL_HELP
    )
    partner_summary = forms.CharField(
        required=False,
        max_length=PARTNER_SUMMARY_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 2}),
        label=_("Summary for partners"),
        help_text=SUMMARY_HELP,
    )

    def sharing(self) -> InjurySharing:
        data = self.cleaned_data
        return InjurySharing(
            with_hurt_partner=data["shared_with_hurt_partner"],
            with_hurtful_partner=data["shared_with_hurtful_partner"],
            partner_summary=data["partner_summary"],
        )


class InjuryForm(SharingFields):
    """Record an injury. The subtype list follows the category; the action checks the pair."""

    category = forms.ChoiceField(
        choices=[("", _("Choose a kind")), *Injury.Category.choices],
        label=_("Kind of injury"),
        help_text=CLINICIANS_ONLY,
    )
    subtype = forms.ChoiceField(label=_("Detail"), help_text=CLINICIANS_ONLY)
    hurt_partner = forms.ChoiceField(label=_("Hurt partner"), help_text=CLINICIANS_ONLY)
    hurtful_partner = forms.ChoiceField(
        label=_("Hurtful partner"),
        help_text=_clinicians_only(_("The other partner, not the hurt one.")),
    )
    reported_by = forms.ChoiceField(
        required=False,
        label=_("Who reported it"),
        help_text=_clinicians_only(_("Needed for a private disclosure.")),
    )
    disclosure_state = forms.ChoiceField(
        choices=[("", _("Choose who knows")), *Injury.Disclosure.choices],
        label=_("Who knows"),
        help_text=CLINICIANS_ONLY,
    )
    discovered_how = forms.ChoiceField(
        choices=[("", _("Not recorded")), *Injury.DiscoveredHow.choices],
        required=False,
        label=_("How it came to light"),
        help_text=CLINICIANS_ONLY,
    )
    discovery_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label=_("Discovery date"),
        help_text=_clinicians_only(_("Today or earlier.")),
    )
    onset_period = forms.CharField(
        max_length=120,
        required=False,
        label=_("Onset"),
        help_text=_clinicians_only(_("e.g. spring 2023, two years.")),
    )
    ongoing = forms.BooleanField(
        required=False, label=_("Still ongoing"), help_text=CLINICIANS_ONLY
    )
    contact_with_third_party_ongoing = forms.ChoiceField(
        choices=YES_NO_UNKNOWN,
        required=False,
        label=_("Contact with the third party ongoing"),
        help_text=CLINICIANS_ONLY,
    )
    severity_by_hurt_partner = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        label=_("Severity as the hurt partner rates it (0 to 10)"),
        help_text=CLINICIANS_ONLY,
    )
    is_attachment_injury = forms.ChoiceField(
        choices=FORMULATION,
        required=False,
        label=_("Is it an attachment injury?"),
        help_text=CLINICIANS_ONLY,
    )
    complex = forms.BooleanField(
        required=False,
        label=_("Complex (multiple, repeated, or echoing earlier trauma)"),
        help_text=CLINICIANS_ONLY,
    )

    def __init__(
        self, *args: Any, partners: list[Partner], subtypes_url: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "injury")
        super().__init__(*args, **kwargs)
        if subtypes_url:
            # With htmx, choosing a category swaps in the subtype list of that category only.
            self.fields["category"].widget.attrs.update(
                {
                    "hx-get": subtypes_url,
                    "hx-trigger": "change",
                    "hx-target": "#injury-subtype-field",
                    "hx-swap": "outerHTML",
                }
            )
        people = [(str(p.id), p.display_name) for p in partners]
        self._choice("hurt_partner").choices = [("", _("Choose a partner")), *people]
        self._choice("hurtful_partner").choices = [("", _("Choose a partner")), *people]
        self._choice("reported_by").choices = [("", _("Not recorded")), *people]
        # Any known subtype passes the form; whether it fits the category is the action's rule.
        self._choice("subtype").choices = [("", _("Choose a detail")), *Injury.Subtype.choices]

    def subtype_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return (category label, subtypes) to offer: only the chosen category's, if any."""
        chosen = self["category"].value()
        return subtype_groups(chosen if isinstance(chosen, str) else "")

    def draft(self) -> InjuryDraft:
        data = self.cleaned_data
        return InjuryDraft(
            category=data["category"],
            subtype=data["subtype"],
            hurt_partner_id=data["hurt_partner"],
            hurtful_partner_id=data["hurtful_partner"],
            reported_by_id=data["reported_by"] or None,
            disclosure_state=data["disclosure_state"],
            discovered_how=data["discovered_how"],
            discovery_date=data["discovery_date"],
            onset_period=data["onset_period"],
            ongoing=data["ongoing"],
            contact_with_third_party_ongoing=_tristate(data["contact_with_third_party_ongoing"]),
            is_attachment_injury=_tristate(data["is_attachment_injury"]),
            complex=data["complex"],
            severity_by_hurt_partner=data["severity_by_hurt_partner"],
            sharing=self.sharing(),
        )


def subtype_groups(category: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the subtypes of one category, or of every category grouped, in model order."""
    categories = [category] if category in Injury.Category.values else Injury.Category.values
    return [
        (
            str(Injury.Category(c).label),
            [(v, str(label)) for v, label in Injury.Subtype.choices if v in Injury.SUBTYPES[c]],
        )
        for c in categories
    ]


class FormulationForm(SharingFields):
    # The formulation first, then what partners see (the order of the recording form).
    field_order = ("is_attachment_injury", "complex", "ongoing", "disclosure_state")

    is_attachment_injury = forms.ChoiceField(
        choices=FORMULATION,
        required=False,
        label=_("Is it an attachment injury?"),
        help_text=CLINICIANS_ONLY,
    )
    complex = forms.BooleanField(required=False, label=_("Complex"), help_text=CLINICIANS_ONLY)
    ongoing = forms.BooleanField(
        required=False, label=_("Still ongoing"), help_text=CLINICIANS_ONLY
    )
    disclosure_state = forms.ChoiceField(
        choices=Injury.Disclosure.choices, label=_("Who knows"), help_text=CLINICIANS_ONLY
    )

    @classmethod
    def for_injury(cls, injury: Injury) -> FormulationForm:
        formulation = {True: "yes", False: "no", None: ""}[injury.is_attachment_injury]
        return cls(
            initial={
                "is_attachment_injury": formulation,
                "complex": injury.complex,
                "ongoing": injury.ongoing,
                "disclosure_state": injury.disclosure_state,
                "shared_with_hurt_partner": injury.shared_with_hurt_partner,
                "shared_with_hurtful_partner": injury.shared_with_hurtful_partner,
                "partner_summary": injury.partner_summary,
            },
            prefix=f"injury-{injury.id}",
        )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "is_attachment_injury": _tristate(data["is_attachment_injury"]),
            "complex": data["complex"],
            "ongoing": data["ongoing"],
            "disclosure_state": data["disclosure_state"],
            "sharing": self.sharing(),
        }


class VoidInjuryForm(Form):
    reason = forms.CharField(
        max_length=VOID_REASON_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 2}),
        label=_("Why is it voided?"),
        help_text=_clinicians_only(
            _(
                "e.g. recorded on the wrong case. The injury stays on record, struck through;"
                " partners no longer see it."
            )
        ),
        error_messages={"required": _("Say why this injury is voided.")},
    )

    def __init__(self, *args: Any, injury: Injury, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"void-{injury.id}")
        super().__init__(*args, **kwargs)


class TransitionForm(Form):
    to_status = forms.ChoiceField(label=_("Move the case to"))
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Reason"),
        help_text=_("Needed for an override, a safety pause, referring out or dropping out."),
    )
    override = forms.BooleanField(
        required=False, label=_("Override the unmet conditions, for the reason given")
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        labels = dict(Couple.Status.choices)
        offered = [(status, labels[status]) for status in allowed]
        self._choice("to_status").choices = [("", _("Choose a status")), *offered]
