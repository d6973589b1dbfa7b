"""Issue 23 item 3 in Chromium on a phone (390 x 844): a partner opens their private link, sets
a PIN, follows "A copy of your data" from their space and downloads both files; the files have
neutral names and hold their own diary line and the one their partner shared, never the
partner's private one. The pages pass axe-core with no console or CSP error and no request to
another origin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import Couple, Partner
from rebond.diary import actions as diary_actions
from rebond.diary.models import DiaryPlan
from rebond.portal.tests.conftest import make_link
from rebond.test import make_clinic, make_clinician, make_couple
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
OWN_LINE = "Walked by the river and breathed"
SHARED_LINE = "I kept my promise to call at six"
PRIVATE_LINE = "Nobody knows I read the old messages"


def test_a_partner_downloads_their_own_data_on_a_phone(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    therapist = make_clinician(make_clinic("Harbour Couples Therapy"), "Tess Therapist")
    couple = make_couple(
        therapist, partners=("Casey Vega", "Jordan Cole"), status=Couple.Status.CONJOINT_ACTIVE
    )
    casey = couple.partners.get(role=Partner.Role.A)
    jordan = couple.partners.get(role=Partner.Role.B)
    DiaryPlan.objects.create(couple=couple, offered=True, updated_by=therapist)
    draft = diary_actions.DiaryDraft
    diary_actions.write_entry(casey, draft(felt_safe=6, felt_close=5, line=OWN_LINE))
    shared = diary_actions.write_entry(jordan, draft(felt_safe=7, felt_close=6, line=SHARED_LINE))
    diary_actions.share_entry(jordan, shared.id)
    diary_actions.write_entry(jordan, draft(felt_safe=3, felt_close=2, line=PRIVATE_LINE))
    _, token = make_link(casey, therapist)

    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True
    )
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    # The link's first use offers a PIN first thing; the partner chooses one.
    page.get_by_role("textbox", name="Choose a PIN").fill("482915")
    page.get_by_label("Type the same PIN again").fill("482915")
    page.get_by_role("button", name="Save my PIN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your space")

    page.get_by_role("link", name="A copy of your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    checker.check("own-data-page-phone")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="A document to read (PDF)").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.startswith("my-data-")
    assert pdf.suggested_filename.endswith(".pdf")
    pdf_path = tmp_path / pdf.suggested_filename
    pdf.save_as(pdf_path)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert OWN_LINE in text
    assert SHARED_LINE in text
    assert PRIVATE_LINE not in text
    assert "Jordan" not in text

    with page.expect_download() as json_download:
        page.get_by_role("link", name="A file for other programs (JSON)").click()
    data_file = json_download.value
    assert data_file.suggested_filename.startswith("my-data-")
    assert data_file.suggested_filename.endswith(".json")
    json_path = tmp_path / data_file.suggested_filename
    data_file.save_as(json_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert [e["line"] for e in data["diary_entries"]] == [OWN_LINE]
    assert [e["line"] for e in data["entries_shared_with_you"]] == [SHARED_LINE]
    assert PRIVATE_LINE not in json_path.read_text(encoding="utf-8")
    # Still on the page after both downloads, and nothing went wrong on it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    context.close()
    checker.assert_clean()
