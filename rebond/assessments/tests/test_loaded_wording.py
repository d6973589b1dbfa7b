"""Licensed wording loaded with `rebond instruments load-wording` reaches the partner's pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from psychometrics import get_instrument
from rebond import cli
from rebond.accounts.models import User
from rebond.assessments import actions, checkins
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


def synthetic_wording(code: str) -> dict[str, object]:
    """A wording file for a scoring-only instrument: made-up texts, the key's own option labels."""
    inst = get_instrument(code, include_unavailable=True)
    return {
        "instrument": inst.code,
        "licence": "Synthetic test wording, not the published form",
        "items": [
            {
                "number": item.number,
                "text": f"Synthetic {code} question {item.number}",
                "options": list(item.labels),
            }
            for item in inst.items
        ],
    }


@pytest.fixture
def wording_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "wording"
    settings.WORDING_DIR = directory
    monkeypatch.setenv("REBOND_WORDING_DIR", str(directory))
    return directory


def load(tmp_path: Path, code: str) -> int:
    source = tmp_path / f"{code}.json"
    source.write_text(json.dumps(synthetic_wording(code)), encoding="utf-8")
    return cli.main(["instruments", "load-wording", str(source)])


def test_loaded_wording_is_offered_and_shown_to_the_partner(
    alice: User, wording_dir: Path, tmp_path: Path
) -> None:
    assert "HITS" not in {inst.code for inst in checkins.schedulable_instruments()}
    assert load(tmp_path, "HITS") == 0
    assert "HITS" in {inst.code for inst in checkins.schedulable_instruments()}

    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    own = next(
        x
        for x in actions.schedule_instrument(alice, couple.id, "HITS")
        if x.partner_id == partner.id
    )
    client = Client()
    open_space(client, partner, alice)
    page = client.get(reverse("checkin", kwargs={"administration_id": own.id}))
    assert page.status_code == 200
    for number in range(1, 5):
        assert f"Synthetic HITS question {number}" in page.content.decode()


def test_the_cli_stores_wording_where_the_web_app_reads_it_whatever_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REBOND_WORDING_DIR", raising=False)
    monkeypatch.setenv("REBOND_VAR_DIR", str(tmp_path / "var"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load(tmp_path, "HITS") == 0
    assert (tmp_path / "var" / "wording").is_dir()
    assert list((tmp_path / "var" / "wording").glob("*.json"))
    assert not (elsewhere / "var").exists()


def test_a_relative_wording_directory_is_refused_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REBOND_WORDING_DIR", "var/wording")
    assert load(tmp_path, "HITS") == 2
    assert "REBOND_WORDING_DIR='var/wording' must be an absolute path" in capsys.readouterr().err
