"""The public request page speaks the clinic's language, and offers a switch (issue 20 item 2).

The page opens in the clinic's default language; a link per shipped language shows it in
another (`?lang=es`). The choice lives in the address only, never in a cookie or anything else
the browser keeps: the requester's partner may look at the browser later. The form's action
and the redirect after sending carry it, so errors and the receipt come back in it.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from rebond.accounts.models import Clinic, User
from rebond.intake import views
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import make_request, valid_post
from rebond.lib.language import choices
from rebond.portal import locale_middleware
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db


def url(clinic: Clinic, query: str = "") -> str:
    return reverse("consultation_request", args=[clinic.slug]) + query


def switch(body: str) -> str:
    found = re.search(r'<nav class="language-switch"[^>]*>.*?</nav>', body, re.S)
    assert found is not None, "no language switch on the page"
    return found.group(0)


def form_action(body: str) -> str:
    found = re.search(r'<form method="post" action="([^"]*)"[^>]*data-request-form', body)
    assert found is not None
    return found.group(1)


@pytest.fixture
def spanish_clinic(clinic_a: Clinic) -> Clinic:
    clinic_a.default_language = "es"
    clinic_a.save(update_fields=["default_language"])
    return clinic_a


def test_a_clinic_whose_default_is_spanish_shows_the_page_in_spanish(
    client: Client, spanish_clinic: Clinic
) -> None:
    r = client.get(url(spanish_clinic))
    assert r.status_code == 200
    body = r.content.decode()
    assert '<html lang="es" dir="ltr">' in body
    assert r["Content-Language"] == "es"
    assert "Solicitar una consulta" in body
    assert "Request a consultation" not in body
    # The scripts' words are Spanish too.
    assert reverse("javascript_catalogue", args=["es"]) in body
    # Without a choice in the address, the form posts to the plain address.
    assert form_action(body) == url(spanish_clinic)


def test_the_switch_shows_the_page_in_english(client: Client, spanish_clinic: Clinic) -> None:
    r = client.get(url(spanish_clinic, "?lang=en"))
    body = r.content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert "Request a consultation" in body
    assert "Solicitar una consulta" not in body
    # The form carries the choice, so that its errors come back in English.
    assert form_action(body) == url(spanish_clinic, "?lang=en")


def test_the_switch_is_a_labelled_list_of_links_one_per_language_each_in_its_own_language(
    client: Client, spanish_clinic: Clinic
) -> None:
    nav = switch(client.get(url(spanish_clinic)).content.decode())
    assert 'aria-label="Idioma"' in nav
    links = re.findall(r"<a [^>]*>[^<]*</a>", nav)
    assert len(links) == len(choices()) == len(settings.LANGUAGES)
    for (code, name), link in zip(choices(), links, strict=True):
        assert f'href="{url(spanish_clinic)}?lang={code}"' in link
        assert f'lang="{code}"' in link
        assert f'hreflang="{code}"' in link
        assert f">{name}</a>" in link
        # Only the language showing is the current one.
        assert ('aria-current="true"' in link) == (code == "es")


def test_the_switch_marks_the_language_chosen_as_current(
    client: Client, spanish_clinic: Clinic
) -> None:
    nav = switch(client.get(url(spanish_clinic, "?lang=en")).content.decode())
    assert re.search(r'<a [^>]*hreflang="en" aria-current="true"', nav)
    assert not re.search(r'<a [^>]*hreflang="es" aria-current', nav)
    assert 'aria-label="Language"' in nav


def test_a_post_with_errors_under_a_chosen_language_answers_in_it(
    client: Client, clinic_a: Clinic
) -> None:
    assert clinic_a.default_language == "en"
    r = client.post(url(clinic_a, "?lang=es"), valid_post(name="", consent=""))
    assert r.status_code == 400
    body = r.content.decode()
    assert '<html lang="es" dir="ltr">' in body
    assert "Díganos cómo llamarle. Basta con un nombre de pila." in body
    assert "Solo podemos responderle si acepta que contactemos con usted." in body
    assert "Tell us what to call you" not in body
    # The page that comes back still posts in Spanish.
    assert form_action(body) == url(clinic_a, "?lang=es")


def test_the_chosen_language_follows_the_request_to_its_receipt(
    client: Client, clinic_a: Clinic
) -> None:
    r = client.post(url(clinic_a, "?lang=es"), valid_post())
    assert r.status_code == 302
    receipt = reverse("consultation_request_sent", args=[clinic_a.slug]) + "?lang=es"
    assert r["Location"] == receipt
    body = client.get(receipt).content.decode()
    assert '<html lang="es" dir="ltr">' in body
    assert "Su solicitud ha llegado a" in body


def test_the_choice_is_never_stored_in_the_browser(client: Client, clinic_a: Clinic) -> None:
    r = client.get(url(clinic_a, "?lang=es"))
    assert settings.LANGUAGE_COOKIE_NAME not in r.cookies
    assert "localStorage" not in r.content.decode()
    # The next visit without the choice is in the clinic's language again.
    assert '<html lang="en" dir="ltr">' in client.get(url(clinic_a)).content.decode()


def test_a_language_rebond_does_not_ship_is_ignored(client: Client, clinic_a: Clinic) -> None:
    body = client.get(url(clinic_a, "?lang=xx")).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert form_action(body) == url(clinic_a)


def test_intake_names_the_switch_the_way_the_locale_middleware_reads_it() -> None:
    assert views.LANGUAGE_PARAMETER == locale_middleware.LANGUAGE_PARAMETER


def test_each_clinician_is_told_of_a_request_in_their_own_language(
    client: Client,
    clinic_a: Clinic,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    spanish = make_clinician(
        clinic_a, "Sofia Admin", is_therapist=False, is_clinic_admin=True, language="es"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(clinic_a, "?lang=es"), valid_post())
    by_address = {message.to[0]: message for message in mail.outbox}
    # The requester's choice of language is theirs: alice reads her clinic's English.
    english, spanish_message = by_address[alice.email], by_address[spanish.email]
    assert english.subject == "A new consultation request is waiting in Rebond"
    assert spanish_message.subject == "Una nueva solicitud de consulta le espera en Rebond"
    assert spanish_message.body.startswith(
        "Una nueva solicitud de consulta le espera en Rebond.\n\n"
    )


def test_the_inbox_and_a_request_read_in_the_clinicians_language(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    alice.language = "es"
    alice.save(update_fields=["language"])
    consultation = make_request(
        clinic_a,
        feels_safe=ConsultationRequest.FeelsSafe.NOT_SURE,
        safe_times="Weekdays",
        safe_from=time(18),
        safe_until=time(20),
    )
    sign_in(client, alice)
    inbox = client.get(reverse("inbox")).content.decode()
    assert '<html lang="es" dir="ltr">' in inbox
    assert "Seguridad: no lo sé" in inbox
    assert "Nueva" in inbox
    detail = client.get(reverse("inbox_request", args=[consultation.id])).content.decode()
    for words in ("Triaje", "Forma de contacto", "de 18:00 a 20:00, hora de", "Una infidelidad"):
        assert words in detail
    assert "Triage" not in detail
    convert = client.get(reverse("inbox_request_convert", args=[consultation.id]))
    assert "pasa a ser el/la integrante A" in convert.content.decode()
