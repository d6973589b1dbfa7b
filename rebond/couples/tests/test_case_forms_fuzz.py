"""Hypothesis-generated input on every form of the case page: never a 500; bad input is a 422
with the errors shown on the form, and nothing is half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import User
from rebond.couples.models import (
    CaseTransition,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.couples.tests.helpers import (
    case_url,
    case_with_everything,
    documents,
    login,
    partners_of,
)
from rebond.lib.text import BIDI_CONTROLS
from rebond.test import change_entries
from rebond.tests import figures

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text a browser could send (no lone surrogates: they cannot be encoded at all).
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
CHOICE_VALUES = [
    "",
    "yes",
    "no",
    "on",
    "infidelity",
    "safety_threat",
    "sexual_affair",
    "verbal_abuse",
    "known_to_both",
    "disclosed_privately",
    "discovered",
    "conjoint_active",
    "referred_out",
    "email",
    "no_secrets",
    "mixed",
    "improve",
    "11",
    "-1",
    "2025-02-30",
    "00000000-0000-4000-8000-000000000000",
    "x" * 300,
    # Issue 15, D16: bidi overrides, an address without "@", CR LF line breaks.
    "Sam\u202eX",
    "\u2066label\u2069",
    "daniel at example",
    "a\r\n" * 120,
]
SECTION = "D16 clinician forms"


def snapshot() -> list[object]:
    return [
        list(Couple.objects.values().order_by("id")),
        list(Partner.objects.values().order_by("id")),
        list(ContactChannel.objects.values().order_by("id")),
        list(ConsentRecord.objects.values().order_by("id")),
        list(Injury.objects.values().order_by("id")),
        list(SafetyConcern.objects.values().order_by("id")),
        CaseTransition.objects.count(),
        change_entries(),
    ]


def form_data(names: list[str], ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(TEXT, st.sampled_from(CHOICE_VALUES + ids))
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names))


def forms_of(couple: Couple) -> dict[str, tuple[str, list[str]]]:
    sam, _ = partners_of(couple)
    injury = Injury.objects.filter(couple=couple).first()
    assert injury is not None
    p = f"injury-{injury.id}"
    return {
        "details": (
            case_url("case_details", couple),
            [
                "case-label",
                "case-relationship_agreement",
                "case-relationship_agreement_notes",
                "case-secrets_policy",
                "case-modality",
            ],
        ),
        "move": (
            case_url("case_transition", couple),
            ["move-to_status", "move-reason", "move-override"],
        ),
        "partner": (
            case_url("partner_update", couple, sam.id),
            ["partner-A-display_name", "partner-A-pronouns", "partner-A-language"],
        ),
        "goal": (case_url("partner_goal", couple, sam.id), ["partner-A-goal-intake_goal"]),
        "channel": (
            case_url("channel_add", couple, sam.id),
            [
                f"partner-A-channel-{name}"
                for name in ("kind", "value", "safe_to_contact", "safe_hours", "may_leave_message")
            ],
        ),
        "consent": (case_url("consent_record", couple, sam.id), ["document"]),
        "injury": (
            case_url("injury_record", couple),
            [
                f"injury-{name}"
                for name in (
                    "category",
                    "subtype",
                    "hurt_partner",
                    "hurtful_partner",
                    "reported_by",
                    "disclosure_state",
                    "discovered_how",
                    "discovery_date",
                    "onset_period",
                    "ongoing",
                    "contact_with_third_party_ongoing",
                    "severity_by_hurt_partner",
                    "is_attachment_injury",
                    "complex",
                )
            ],
        ),
        "formulation": (
            case_url("injury_update", couple, injury.id),
            [
                f"{p}-{n}"
                for n in ("is_attachment_injury", "complex", "ongoing", "disclosure_state")
            ],
        ),
    }


FORM_NAMES = ["details", "move", "partner", "goal", "channel", "consent", "injury", "formulation"]


@pytest.mark.parametrize("form", FORM_NAMES)
def test_any_input_is_answered_without_a_500_and_bad_input_saves_nothing(
    client: Client, alice: User, form: str
) -> None:
    couple = case_with_everything(alice)
    url, names = forms_of(couple)[form]
    ids = [str(p.id) for p in couple.partners.all()] + [str(d.id) for d in documents().values()]
    login(client, alice)
    seen_errors = []

    @FUZZ
    @given(data=form_data(names, ids), htmx=st.booleans())
    def post(data: dict[str, Any], htmx: bool) -> None:
        before = snapshot()
        headers = {"HX-Request": "true"} if htmx else {}
        r = client.post(url, data, headers=headers)
        figures.add(SECTION, "requests", 1)
        figures.add(SECTION, "server errors", int(r.status_code >= 500))
        assert r.status_code in (200, 302, 422), r.status_code
        if r.status_code == 422:
            seen_errors.append(data)
            body = r.content.decode()
            assert 'class="errorlist' in body or 'class="form-errors"' in body, body[:2000]
            assert snapshot() == before

    post()
    assert seen_errors, "the strategy never produced bad input"


@pytest.mark.parametrize(
    ("form", "data", "field_error"),
    [
        (
            "details",
            {"case-label": " ", "case-secrets_policy": "no_secrets", "case-modality": "conjoint"},
            "This field is required.",
        ),
        ("move", {"move-to_status": "archived"}, "Select a valid choice."),
        (
            "partner",
            {"partner-A-display_name": "  ", "partner-A-language": "en"},
            "This field is required.",
        ),
        (
            "channel",
            {
                "partner-A-channel-kind": "pigeon",
                "partner-A-channel-value": "x",
                "partner-A-channel-safe_to_contact": "yes",
                "partner-A-channel-may_leave_message": "no",
            },
            "Select a valid choice.",
        ),
        ("consent", {"document": "not-a-uuid"}, "That consent could not be recorded"),
        (
            "consent",
            {"document": "00000000-0000-4000-8000-000000000000"},
            "That consent could not be recorded",
        ),
    ],
)
def test_bad_input_names_the_field_in_error(
    client: Client, alice: User, form: str, data: dict[str, str], field_error: str
) -> None:
    couple = case_with_everything(alice)
    url, _ = forms_of(couple)[form]
    before = snapshot()
    r = login(client, alice).post(url, data)
    assert r.status_code == 422
    assert field_error in r.content.decode()
    assert snapshot() == before


def test_a_subtype_from_another_category_is_refused_by_the_action(
    client: Client, alice: User
) -> None:
    couple = case_with_everything(alice)
    sam, alex = partners_of(couple)
    before = snapshot()
    r = login(client, alice).post(
        case_url("injury_record", couple),
        {
            "injury-category": "attachment_neglect",
            "injury-subtype": "physical_abuse",
            "injury-hurt_partner": str(sam.id),
            "injury-hurtful_partner": str(alex.id),
            "injury-disclosure_state": "disclosed_privately",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "This detail does not belong to the kind chosen." in body
    assert "A private disclosure needs the partner who made it." in body
    assert snapshot() == before


NAME_FIELDS = {
    "partner": ("partner-A-display_name", {"partner-A-language": "en"}),
    "details": ("case-label", {"case-secrets_policy": "no_secrets", "case-modality": "conjoint"}),
    "channel": (
        "partner-A-channel-safe_hours",
        {
            "partner-A-channel-kind": "email",
            "partner-A-channel-value": "sam@example.org",
            "partner-A-channel-safe_to_contact": "yes",
            "partner-A-channel-may_leave_message": "no",
        },
    ),
}


def test_any_name_or_label_with_a_bidi_control_is_refused_and_saves_nothing(
    client: Client, alice: User
) -> None:
    couple = case_with_everything(alice)
    login(client, alice)
    urls = {name: forms_of(couple)[name][0] for name in NAME_FIELDS}

    @FUZZ
    @given(
        form=st.sampled_from(sorted(NAME_FIELDS)),
        text=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
        at=st.integers(min_value=0, max_value=30),
        control=st.sampled_from(sorted(BIDI_CONTROLS)),
    )
    def post(form: str, text: str, at: int, control: str) -> None:
        field, rest = NAME_FIELDS[form]
        before = snapshot()
        r = client.post(urls[form], {**rest, field: text[:at] + control + text[at:]})
        figures.add(SECTION, "requests", 1)
        figures.add(SECTION, "server errors", int(r.status_code >= 500))
        figures.add(SECTION, "bidi controls accepted", int(r.status_code != 422))
        assert r.status_code == 422
        assert snapshot() == before

    post()


def test_any_e_mail_channel_without_an_address_is_refused(client: Client, alice: User) -> None:
    couple = case_with_everything(alice)
    sam, _ = partners_of(couple)
    login(client, alice)
    url = case_url("channel_add", couple, sam.id)

    @FUZZ
    @given(
        value=st.text(alphabet=st.characters(codec="utf-8"), max_size=60).filter(
            lambda v: "@" not in v and v.strip()
        )
    )
    def post(value: str) -> None:
        before = snapshot()
        r = client.post(
            url,
            {
                "partner-A-channel-kind": "email",
                "partner-A-channel-value": value,
                "partner-A-channel-safe_to_contact": "yes",
                "partner-A-channel-may_leave_message": "no",
            },
        )
        figures.add(SECTION, "requests", 1)
        figures.add(SECTION, "server errors", int(r.status_code >= 500))
        figures.add(SECTION, "unreachable e-mail channels kept", int(r.status_code != 422))
        assert r.status_code == 422
        assert snapshot() == before

    post()
