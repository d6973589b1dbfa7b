"""Each page is in its reader's language (issue 20, item 2), decided per request:

| reader                    | language of the page                                        |
|---------------------------|-------------------------------------------------------------|
| a clinician               | their own choice, else their clinic's default                |
| a partner (private link)  | that partner's language, else the clinic's default           |
| a public request page     | `?lang=` when Rebond ships it, else the clinic's default     |
| anyone else (login page)  | the browser's (Accept-Language), else English                |

A language Rebond does not ship falls back along the same line, never to an error. The two
partners of one couple read their own languages side by side.
"""

from __future__ import annotations

import pytest
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from rebond.accounts.models import User
from rebond.couples.models import ConsentDocument, Partner
from rebond.portal.tests.conftest import ensure_consent_documents, open_space
from rebond.test import make_clinic, make_clinician, sign_in
from rebond.therapy.tests.helpers import make_case, partners_of

pytestmark = pytest.mark.django_db


def page_language(response: HttpResponseBase) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('<html lang="') + len('<html lang="')
    language = html[start : html.index('"', start)]
    assert response["Content-Language"] == language
    return str(language)


def with_language(partner: Partner, code: str) -> Partner:
    partner.language = code
    partner.save(update_fields=["language"])
    return partner


@pytest.mark.parametrize(
    ("own", "clinic_default", "expected"),
    [
        ("es", "en", "es"),  # the clinician's choice wins
        ("en", "es", "en"),
        ("", "es", "es"),  # none chosen: the clinic's default
        ("fr", "es", "es"),  # not shipped: the clinic's default
        ("", "xx", "en"),  # neither shipped: the server's language
    ],
)
def test_a_clinician_reads_their_own_language_else_their_clinics(
    own: str, clinic_default: str, expected: str
) -> None:
    clinic = make_clinic("Clínica Norte", default_language=clinic_default)
    clinician = make_clinician(clinic, "Lucía", language=own)
    client = Client(headers={"accept-language": "de"})
    sign_in(client, clinician)
    assert page_language(client.get(reverse("caseload"))) == expected


def test_the_two_partners_of_one_couple_each_read_their_own_language(alice: User) -> None:
    couple = make_case(alice)
    a, b = partners_of(couple)
    with_language(a, "es")
    with_language(b, "en")
    spanish, english = Client(), Client()
    open_space(spanish, a, alice)
    open_space(english, b, alice)
    assert page_language(spanish.get("/me/")) == "es"
    assert page_language(english.get("/me/")) == "en"
    # Neither the browser's language nor the other partner's changes it.
    assert page_language(spanish.get("/me/", headers={"accept-language": "en"})) == "es"


def test_a_partner_language_rebond_does_not_ship_falls_back_to_the_clinics(alice: User) -> None:
    clinic = alice.clinic
    assert clinic is not None
    clinic.default_language = "es"
    clinic.save(update_fields=["default_language"])
    a, _b = partners_of(make_case(alice))
    with_language(a, "fr")
    client = Client()
    open_space(client, a, alice)
    assert page_language(client.get("/me/")) == "es"


def test_the_public_request_page_speaks_the_clinic_default_unless_switched() -> None:
    clinic = make_clinic("Clínica Sur", default_language="es")
    url = reverse("consultation_request", kwargs={"clinic_slug": clinic.slug})
    browser = Client(headers={"accept-language": "en"})
    assert page_language(browser.get(url)) == "es"
    assert page_language(browser.get(url, {"lang": "en"})) == "en"
    assert page_language(browser.get(url, {"lang": "xx"})) == "es"
    # The switch is a link, not a preference: no language cookie stays in the browser (the
    # form's CSRF cookie is the only one).
    assert set(browser.cookies) <= {"rebond-csrf"}


def test_a_page_of_nobody_in_particular_follows_the_browser() -> None:
    assert page_language(Client(headers={"accept-language": "es"}).get(reverse("login"))) == "es"
    assert page_language(Client(headers={"accept-language": "de"}).get(reverse("login"))) == "en"


def test_an_agreement_in_english_only_is_marked_so_for_a_partner_reading_another_language(
    alice: User,
) -> None:
    ensure_consent_documents()
    a, b = partners_of(make_case(alice))
    with_language(a, "es")
    document = ConsentDocument.objects.order_by("kind").first()
    assert document is not None
    notice = (
        "This agreement is only in English for now. Ask your therapist to go through it with "
        "you before you agree."
    )
    for partner, language in ((a, "es"), (b, "en")):
        client = Client()
        open_space(client, partner, alice)
        page = client.get(reverse("portal:agreement", args=[document.id])).content.decode()
        with translation.override(language):
            shown = gettext(notice)
        if language == "es":
            assert shown != notice, "the catalogue lacks its Spanish"
            assert shown in page
            assert '<div class="portal-text" lang="en">' in page
        else:
            assert notice not in page
            assert '<div class="portal-text">' in page
