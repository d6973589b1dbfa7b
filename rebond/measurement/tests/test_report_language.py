"""Each report is written in its reader's language (issue 20 item 2).

A partner's own summary is for the partner: it is written in the partner's language (else the
clinic's default), whoever downloads it. The clinician's progress report is in the clinician's.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rebond.accounts.models import User
from rebond.measurement import reports
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def _language_of_pdf(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the language active when each PDF is laid out."""
    seen: list[str] = []

    def render(template: str, context: dict[str, object]) -> bytes:
        seen.append(translation.get_language())
        return b"%PDF-1.7"

    monkeypatch.setattr(reports, "render_pdf", render)
    return seen


def test_a_partners_report_is_in_the_partners_language(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    sam = couple.partners.get(role="A")
    sam.language = "es"
    sam.save(update_fields=["language"])
    seen = _language_of_pdf(monkeypatch)
    sign_in(client, alice)
    assert client.get(reverse("client_report", args=[couple.id, sam.id])).status_code == 200
    assert client.get(reverse("progress_report", args=[couple.id])).status_code == 200
    assert seen == ["es", alice.preferred_language]


def test_an_unshipped_partner_language_falls_back_to_the_clinics(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    sam = couple.partners.get(role="A")
    sam.language = "pt-BR"
    sam.save(update_fields=["language"])
    clinic = couple.clinic
    clinic.default_language = "es"
    clinic.save(update_fields=["default_language"])
    seen = _language_of_pdf(monkeypatch)
    sign_in(client, alice)
    assert client.get(reverse("client_report", args=[couple.id, sam.id])).status_code == 200
    assert seen == ["es"]
