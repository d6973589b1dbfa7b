"""A result's words from the scoring library (bands, flag messages) reach the reader in their
language (issue 20): every one is listed for the catalogue, and pages translate them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

import psychometrics
from rebond.accounts.models import User
from rebond.assessments import actions, result_words
from rebond.test import make_couple, sign_in

# PHQ-9 answers totalling 12, "moderate" (Kroenke, Spitzer & Williams 2001), item 9 endorsed.
ANSWERS = {1: 2, 2: 2, 3: 1, 4: 2, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}


def every_instrument() -> list[psychometrics.Instrument]:
    return list(psychometrics.REGISTRY.values())


def test_every_band_and_flag_message_of_every_instrument_is_listed_for_translation() -> None:
    bands = {
        band.label
        for instrument in every_instrument()
        for band in (
            *instrument.bands,
            *(b for scale in instrument.scales for b in getattr(scale, "bands", ())),
        )
    }
    messages = {rule.flag.message for instrument in every_instrument() for rule in instrument.flags}
    assert bands
    assert messages
    assert bands <= set(result_words.BANDS), bands - set(result_words.BANDS)
    assert messages <= set(result_words.FLAG_MESSAGES), messages - set(result_words.FLAG_MESSAGES)


def test_an_empty_word_stays_empty_rather_than_the_catalogues_header() -> None:
    with translation.override("es"):
        assert result_words.shown("") == ""
        assert result_words.shown(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_clinician_reads_the_band_and_the_risk_flag_in_their_language(
    alice: User, language: str
) -> None:
    User.objects.filter(pk=alice.pk).update(language=language)
    couple = make_couple(alice)
    a = couple.partners.get(role="A")
    phq = next(x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9") if x.partner == a)
    submission = actions.submit_administration(a, phq.id, phq.submission_key, ANSWERS).submission
    assert submission.band == "moderate"  # stored in English, whatever the reader's language
    flag = submission.flags[0]["message"]
    client = Client()
    sign_in(client, alice)
    page = client.get(reverse("case_checkins", args=[couple.id])).content.decode()
    with translation.override(language):
        band, message = gettext("moderate"), gettext(flag)
    if language == "es":
        assert (band, message) != ("moderate", flag), "the catalogue lacks their Spanish"
    assert f"<dd>{band}</dd>" in page
    assert message in page
