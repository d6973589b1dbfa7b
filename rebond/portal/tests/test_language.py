"""Each partner reads their space and their e-mails in their own language (issue 20 item 2).

The two partners of one couple may read different languages: the invitation task renders each
e-mail in its partner's language (else the clinic's default), and every partner page, the PIN
page included, follows the partner whose link it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.couples.models import Partner
from rebond.portal import actions
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import World, make_link, open_space
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]


def speaks(partner: Partner, language: str) -> None:
    Partner.objects.filter(id=partner.id).update(language=language)
    partner.refresh_from_db()


def test_the_two_partners_of_a_couple_are_invited_each_in_their_own_language(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    speaks(world.a.partner, "es")
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_partner(world.clinician, world.a.partner.id)
        actions.invite_partner(world.clinician, world.b.partner.id)
    assert world.a.email is not None
    assert world.b.email is not None
    [spanish] = [m for m in mail.outbox if m.to == [world.a.email.value]]
    [english] = [m for m in mail.outbox if m.to == [world.b.email.value]]
    assert spanish.subject == "Un mensaje de su consulta"
    assert spanish.body.startswith("Su consulta le ha enviado un enlace privado:\n\nhttp")
    assert english.subject == "A message from your practice"
    assert english.body.startswith("Your practice has sent you a private link:\n\nhttp")


def test_a_partner_language_rebond_does_not_ship_falls_back_to_the_clinic_default(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    speaks(world.a.partner, "xx")
    clinic = world.couple.clinic
    clinic.default_language = "es"
    clinic.save(update_fields=["default_language"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_partner(world.clinician, world.a.partner.id)
    [message] = mail.outbox
    assert message.subject == "Un mensaje de su consulta"


def test_each_partner_reads_their_space_in_their_own_language(world: World) -> None:
    speaks(world.a.partner, "es")
    spanish, english = Client(), Client()
    open_space(spanish, world.a.partner, world.clinician)
    open_space(english, world.b.partner, world.clinician)
    a_page = spanish.get("/me/").content.decode()
    b_page = english.get("/me/").content.decode()
    assert '<html lang="es" dir="ltr">' in a_page
    assert "Solo usted y su terapeuta pueden ver esta página." in a_page
    assert "Cerrar sesión" in a_page
    assert '<html lang="en" dir="ltr">' in b_page
    assert "Only you and your therapist can see this page." in b_page


def test_the_pin_page_and_its_errors_are_in_the_partners_language(world: World) -> None:
    speaks(world.a.partner, "es")
    client = Client()
    _link, token = make_link(world.a.partner, world.clinician)
    actions.set_link_pin(world.clinician, world.a.partner.id, "4821")
    pin_page = reverse("portal:pin")
    assert client.get(f"/p/{token}/")["Location"] == pin_page
    page = client.get(pin_page).content.decode()
    assert '<html lang="es" dir="ltr">' in page
    assert "Introduzca su PIN" in page
    wrong = client.post(pin_page, {"pin": "0000"}).content.decode()
    assert "Ese PIN no es correcto. Le quedan 4 intentos" in wrong


def test_the_clinicians_links_page_names_link_states_in_the_clinicians_language(
    world: World, client: Client
) -> None:
    world.clinician.language = "es"
    world.clinician.save(update_fields=["language"])
    make_link(world.a.partner, world.clinician)
    sign_in(client, world.clinician)
    page = client.get(reverse("partner_links", args=[world.a.partner.id])).content.decode()
    assert PrivateLink.objects.filter(partner=world.a.partner).exists()
    assert "Aún no abierto" in page
    assert "Invitación a su espacio" in page
