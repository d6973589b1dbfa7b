"""A partner's language is one of the languages Rebond ships (issue 20 item 2).

The clinician chooses it on the partner's card; an unknown code is refused with an error that
names the choices, and the rest of what was typed stays in the form. The card says which
language the partner reads Rebond in, by its own name.
"""

from __future__ import annotations

import pytest
from django.test import Client

from rebond.accounts.models import User
from rebond.couples import actions
from rebond.couples.forms import PartnerForm
from rebond.couples.models import Couple
from rebond.couples.tests.helpers import case_url, last_audit, login, partners_of
from rebond.lib.errors import ActionError
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))


def test_the_form_offers_the_shipped_languages_by_their_own_names() -> None:
    form = PartnerForm()
    choices = form.fields["language"].choices  # type: ignore[attr-defined]
    assert ("en", "English") in choices
    assert ("es", "Español") in choices


def test_an_unknown_code_is_refused_naming_the_choices_and_keeping_the_other_input(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, _alex = partners_of(couple)
    r = login(client, alice).post(
        case_url("partner_update", couple, sam.id),
        {
            "partner-A-display_name": "Samira Rivera",
            "partner-A-pronouns": "she/her",
            "partner-A-language": "xx",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "“xx” is not a language Rebond offers. Choose one of: English (en), Español (es)." in (
        body
    )
    # What was typed stays in the form; nothing is saved.
    assert 'value="Samira Rivera"' in body
    assert 'value="she/her"' in body
    sam.refresh_from_db()
    assert (sam.display_name, sam.pronouns, sam.language) == ("Sam Rivera", "", "en")


def test_the_action_refuses_an_unknown_code_too(alice: User, couple: Couple) -> None:
    sam, _alex = partners_of(couple)
    with pytest.raises(ActionError) as refused:
        actions.update_partner(alice, sam.id, display_name="Sam", pronouns="", language="xx")
    assert "Español (es)" in refused.value.errors["language"][0]


def test_saving_es_stores_es_and_the_card_shows_it(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, _alex = partners_of(couple)
    r = login(client, alice).post(
        case_url("partner_update", couple, sam.id),
        {"partner-A-display_name": "Sam Rivera", "partner-A-language": "es"},
    )
    assert r.status_code == 302
    sam.refresh_from_db()
    assert sam.language == "es"
    assert last_audit("couples.partner.update").fields == ["language"]
    page = client.get(case_url("case", couple)).content.decode()
    assert "Language: Español" in page
    assert "Language: English" in page  # the other partner keeps the default


def test_a_code_stored_before_it_was_a_choice_is_kept_when_the_name_changes(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, _alex = partners_of(couple)
    sam.language = "pt-BR"  # e.g. imported, or typed when the field was free text
    sam.save(update_fields=["language"])
    login(client, alice)
    page = client.get(case_url("case", couple)).content.decode()
    assert "Language: pt-BR" in page
    assert '<option value="pt-BR" selected>' in page
    r = client.post(
        case_url("partner_update", couple, sam.id),
        {"partner-A-display_name": "Samira Rivera", "partner-A-language": "pt-BR"},
    )
    assert r.status_code == 302
    sam.refresh_from_db()
    assert (sam.display_name, sam.language) == ("Samira Rivera", "pt-BR")
