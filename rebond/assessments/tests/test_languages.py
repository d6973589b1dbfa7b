"""Questionnaires per language (issue 20, item 4): each partner answers in their own language,
only in wording that exists (published translations, or licensed ones a clinic loaded), the
scores never depend on the language, and the clinician sees which language each was given in."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now

from psychometrics import get_instrument
from rebond import cli
from rebond.accounts.models import User
from rebond.assessments import actions
from rebond.assessments.models import Administration, Occasion, Submission
from rebond.assessments.reminders import send_due_reminders
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import Couple, Partner
from rebond.interop.fhir import bundle_for_couples
from rebond.interop.records import submitted
from rebond.lib.errors import ActionError
from rebond.portal import tasks
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

# PHQ-9 worked example (INSTRUMENTS.md 5.1): [2,2,1,2,1,2,1,1,1] = 13, moderate, item 9 flag.
PHQ9_ANSWERS = {1: 2, 2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 1, 8: 1, 9: 1}
NO_WHO5_IN_SPANISH = (
    "WHO-5 has no wording in Español: load a licensed translation with `rebond instruments "
    "load-wording --language es`, or choose another instrument."
)


def partners(couple: Couple) -> tuple[Partner, Partner]:
    return couple.partners.get(role="A"), couple.partners.get(role="B")


@pytest.fixture
def couple(alice: User) -> Couple:
    """Partner A reads Spanish, partner B English (the two may differ: issue 20, item 2)."""
    couple = make_couple(alice)
    Partner.objects.filter(couple=couple, role="A").update(language="es")
    return couple


@pytest.fixture
def wording_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "wording"
    settings.WORDING_DIR = directory
    monkeypatch.setenv("REBOND_WORDING_DIR", str(directory))
    return directory


def by_partner(rows: list[Administration]) -> dict[str, Administration]:
    return {row.partner.role: row for row in rows}


def test_each_partner_is_given_the_questionnaire_in_their_language(
    alice: User, couple: Couple
) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "PHQ-9"))
    assert (rows["A"].language, rows["B"].language) == ("es", "en")
    assert rows["A"].schedule_group == rows["B"].schedule_group


def test_a_partner_without_a_shipped_language_gets_the_clinics(alice: User, couple: Couple) -> None:
    a, b = partners(couple)
    Partner.objects.filter(pk=a.pk).update(language="fr")
    Partner.objects.filter(pk=b.pk).update(language="")
    clinic = couple.clinic
    clinic.default_language = "es"
    clinic.save(update_fields=["default_language"])
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "GAD-7"))
    assert (rows["A"].language, rows["B"].language) == ("es", "es")


def test_an_instrument_without_wording_in_a_partners_language_is_refused_for_both(
    alice: User, couple: Couple
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.schedule_instrument(alice, couple.id, "WHO-5")
    assert str(refused.value) == NO_WHO5_IN_SPANISH
    # A risk instrument too: partners are scheduled together or not at all.
    with pytest.raises(ActionError, match="ASQ has no wording in Español"):
        actions.schedule_instrument(alice, couple.id, "ASQ")
    # A whole set is refused whole, naming every questionnaire it lacks in that language (the
    # PHQ-9 and GAD-7 have Spanish wording; a set never silently drops a risk screen).
    with pytest.raises(ActionError) as refused_set:
        actions.apply_schedule(alice, couple.id, Occasion.INTAKE)
    assert str(refused_set.value) == (
        "The Intake set was not scheduled: ASQ, HARK, CSI-4 have no wording in Español. Load a "
        "licensed translation with `rebond instruments load-wording --language es`, or change "
        "this case's schedule."
    )
    assert not Administration.objects.exists()
    # Given only to the partner who reads English, it has its wording.
    (only,) = actions.schedule_instrument(
        alice, couple.id, "WHO-5", partner_ids=[partners(couple)[1].id]
    )
    assert only.language == "en"


def test_the_case_page_says_why_and_schedules_nothing(alice: User, couple: Couple) -> None:
    clinician = Client()
    sign_in(clinician, alice)
    url = reverse("schedule_checkin", kwargs={"couple_id": couple.id})
    r = clinician.post(url, {"instrument": "WHO-5", "who": "both"})
    assert r.status_code == 400
    assert "WHO-5 has no wording in Español" in r.content.decode()
    assert not Administration.objects.exists()


def test_a_translation_the_clinic_loads_makes_the_instrument_schedulable(
    alice: User, couple: Couple, wording_dir: Path, tmp_path: Path
) -> None:
    who5 = get_instrument("WHO-5")
    source = tmp_path / "who5-es.json"
    source.write_text(
        json.dumps(
            {
                "instrument": "WHO-5",
                "licence": "Synthetic test wording, not a published translation",
                "items": [
                    {
                        "number": item.number,
                        "text": f"Pregunta sintética {item.number}",
                        "options": [f"Opción {n}" for n in range(len(item.options))],
                    }
                    for item in who5.items
                ],
            }
        ),
        encoding="utf-8",
    )
    assert cli.main(["instruments", "load-wording", "--language", "es", str(source)]) == 0
    assert (wording_dir / "es" / "who5.json").exists()
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "WHO-5"))
    assert rows["A"].language == "es"
    client = Client()
    open_space(client, partners(couple)[0], alice)
    page = client.get(reverse("checkin", kwargs={"administration_id": rows["A"].id}))
    html = page.content.decode()
    assert "Pregunta sintética 1" in html
    assert "Opción 5" in html


def test_the_partner_sees_the_items_and_labels_in_the_administrations_language(
    alice: User, couple: Couple
) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "PHQ-9"))
    spanish, english = Client(), Client()
    open_space(spanish, partners(couple)[0], alice)
    open_space(english, partners(couple)[1], alice)
    html = spanish.get(reverse("checkin", kwargs={"administration_id": rows["A"].id})).content
    text = html.decode()
    assert "Poco interés o placer en hacer cosas" in text
    assert "Más de la mitad de los días" in text
    assert "¿qué tan seguido ha tenido molestias" in text
    assert "Little interest or pleasure" not in text
    assert "Nearly every day" not in text
    assert '<html lang="es"' in text
    assert not re.search(r'<form[^>]*class="checkin-form"[^>]*lang=', text)
    html = english.get(reverse("checkin", kwargs={"administration_id": rows["B"].id})).content
    text = html.decode()
    assert "Little interest or pleasure in doing things" in text
    assert "Nearly every day" in text
    assert "Poco interés" not in text


def test_a_form_in_another_language_than_the_page_is_marked_with_lang(
    alice: User, couple: Couple
) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "PHQ-9"))
    english_partner = partners(couple)[1]
    Administration.objects.filter(pk=rows["B"].pk).update(language="es")
    client = Client()
    open_space(client, english_partner, alice)
    text = client.get(reverse("checkin", kwargs={"administration_id": rows["B"].id})).content
    html = text.decode()
    assert '<html lang="en"' in html
    assert re.search(r'<form[^>]*class="checkin-form"[^>]*lang="es"', html, re.S)
    # The page's own words inside the form say they are in the page's language.
    assert re.search(r'<div class="checkin-finish" lang="en">', html)
    assert "Poco interés o placer en hacer cosas" in html


def submit(client: Client, administration: Administration, answers: dict[int, int]) -> None:
    data = {f"item-{n}": str(v) for n, v in answers.items()}
    data["submission_key"] = str(administration.submission_key)
    url = reverse("checkin_submit", kwargs={"administration_id": administration.id})
    assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7"])
def test_the_same_answers_score_the_same_in_spanish_and_english(
    alice: User, couple: Couple, code: str
) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, code))
    answers = {n: v for n, v in PHQ9_ANSWERS.items() if n <= len(get_instrument(code).items)}
    for role, partner in zip(("A", "B"), partners(couple), strict=True):
        client = Client()
        open_space(client, partner, alice)
        submit(client, rows[role], answers)
    es = Submission.objects.get(administration=rows["A"])
    en = Submission.objects.get(administration=rows["B"])
    assert (rows["A"].language, rows["B"].language) == ("es", "en")
    assert es.answers == en.answers == {str(n): v for n, v in answers.items()}
    assert (es.total, es.band, es.scores, es.flags, es.complete, es.missing) == (
        en.total,
        en.band,
        en.scores,
        en.flags,
        en.complete,
        en.missing,
    )
    if code == "PHQ-9":
        assert (es.total, es.band) == (13, "moderate")
        assert [flag["code"] for flag in es.flags] == ["phq9_item9"]


def test_the_clinician_sees_the_language_each_result_was_given_in(
    alice: User, couple: Couple
) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "PHQ-9"))
    client = Client()
    open_space(client, partners(couple)[0], alice)
    submit(client, rows["A"], PHQ9_ANSWERS)
    clinician = Client()
    sign_in(clinician, alice)
    html = clinician.get(reverse("case_checkins", kwargs={"couple_id": couple.id})).content
    text = html.decode()
    assert "answered in Español" in text
    assert "given in English" in text
    # The answers as the partner read them, marked as Spanish on an English page.
    assert '<td class="answer__text" lang="es">Poco interés o placer en hacer cosas</td>' in text
    assert '<td class="answer__label" lang="es">Más de la mitad de los días</td>' in text


def test_the_fhir_export_gives_each_response_its_language(alice: User, couple: Couple) -> None:
    rows = by_partner(actions.schedule_instrument(alice, couple.id, "GAD-7"))
    for role, partner in zip(("A", "B"), partners(couple), strict=True):
        client = Client()
        open_space(client, partner, alice)
        submit(client, rows[role], dict.fromkeys(range(1, 8), 0))
    records = submitted(Administration.objects.filter(couple=couple))
    bundle = json.loads(
        bundle_for_couples([(couple, records)], include_risk=False).model_dump_json()
    )
    languages = {
        entry["resource"]["id"]: entry["resource"].get("language")
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    }
    assert languages == {str(rows["A"].id): "es", str(rows["B"].id): "en"}


def test_reminders_are_written_in_each_partners_language(
    alice: User,
    couple: Couple,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: dict[str, str] = {}
    real_body = tasks.invitation_body

    def body(token: str) -> str:
        text = real_body(token)
        seen[text] = str(translation.get_language())
        return text

    monkeypatch.setattr(tasks, "invitation_body", body)
    for partner, address in zip(
        partners(couple), ("one@example.test", "two@example.test"), strict=True
    ):
        couple_actions.add_contact_channel(
            alice, partner.id, ChannelDraft(kind="email", value=address, safe_to_contact=True)
        )
    due = now() - timedelta(days=10)
    actions.schedule_instrument(alice, couple.id, "PHQ-9", due_at=due)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(due + timedelta(days=3)) == 2
    assert len(mail.outbox) == 2
    assert sorted(seen.values()) == ["en", "es"]
