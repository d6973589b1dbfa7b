"""Each clinician chooses the language of their pages and e-mails on their account page (issue
20): a shipped language, or the clinic's default (empty). Every change is audited; a code Rebond
does not ship is refused and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.test import sign_in

pytestmark = pytest.mark.django_db


def choose(client: Client, code: str) -> Any:
    return client.post(reverse("account"), {"form": "language", "language": code})


def language_entries(user: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="accounts.user.language", object_id=str(user.pk)).order_by(
            "sequence"
        )
    )


def page_language(client: Client, name: str = "caseload") -> str:
    page = client.get(reverse(name)).content.decode()
    start = page.index("<html lang=")
    return page[start : page.index(">", start) + 1]


def test_the_account_page_offers_the_clinic_default_and_every_shipped_language(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    page = client.get(reverse("account")).content.decode()
    assert '<select name="language"' in page
    assert '<option value="" selected>The clinic&#x27;s default (English)</option>' in page
    assert '<option value="en">English</option>' in page
    assert '<option value="es">Español</option>' in page
    assert 'name="form" value="language"' in page


def test_choosing_spanish_puts_the_clinicians_pages_in_spanish_and_is_audited(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    assert page_language(client) == '<html lang="en" dir="ltr">'
    response = choose(client, "es")
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    alice.refresh_from_db()
    assert alice.language == "es"
    assert page_language(client) == '<html lang="es" dir="ltr">'
    assert page_language(client, "account") == '<html lang="es" dir="ltr">'
    (entry,) = language_entries(alice)
    assert entry.actor == alice
    assert entry.clinic_id == alice.clinic_id
    assert entry.fields == ["language"]
    assert entry.reason == "language: (clinic default) → es"


def test_an_empty_choice_follows_the_clinics_default_language(
    client: Client, alice: User, clinic_a: Clinic
) -> None:
    alice.language = "es"
    alice.save(update_fields=["language"])
    sign_in(client, alice)
    assert page_language(client) == '<html lang="es" dir="ltr">'
    response = choose(client, "")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == ""
    assert page_language(client) == '<html lang="en" dir="ltr">'  # the clinic's default
    (entry,) = language_entries(alice)
    assert entry.reason == "language: es → (clinic default)"
    # The default is the clinic's: when the clinic changes it, so do her pages.
    clinic_a.default_language = "es"
    clinic_a.save(update_fields=["default_language"])
    assert page_language(client) == '<html lang="es" dir="ltr">'


def test_the_page_after_saving_says_so_and_an_unchanged_choice_writes_nothing(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    page = client.post(
        reverse("account"), {"form": "language", "language": "en"}, follow=True
    ).content.decode()
    assert "Your pages and e-mails are now in English." in page
    page = client.post(
        reverse("account"), {"form": "language", "language": "en"}, follow=True
    ).content.decode()
    assert "Nothing had changed; the language is as it was." in page
    assert len(language_entries(alice)) == 1


@pytest.mark.parametrize("code", ["xx", "fr", "es-AR", "<script>"])
def test_a_language_rebond_does_not_ship_is_refused_and_nothing_is_saved(
    client: Client, alice: User, code: str
) -> None:
    sign_in(client, alice)
    response = choose(client, code)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Your account · Rebond</title>" in page
    assert "Choose a language from the list." in page
    assert 'aria-invalid="true"' in page
    alice.refresh_from_db()
    assert alice.language == ""
    assert language_entries(alice) == []
    assert page_language(client) == '<html lang="en" dir="ltr">'


def test_the_language_form_leaves_the_password_alone(client: Client, alice: User) -> None:
    sign_in(client, alice)
    password = User.objects.get(pk=alice.pk).password
    # A password form's fields sent with the language form change nothing but the language.
    data = {
        "form": "language",
        "language": "es",
        "old_password": "wrong",
        "new_password1": "quiet harbour lantern morning",
        "new_password2": "quiet harbour lantern morning",
    }
    assert client.post(reverse("account"), data).status_code == 302
    assert User.objects.get(pk=alice.pk).password == password
    assert not AuditEntry.objects.filter(action__startswith="accounts.password_change").exists()
