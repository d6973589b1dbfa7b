"""In Chromium: a clinician exports a case, imports a CSV with an error then a good one (each
import a background job whose page shows the result), makes the research CSV in the
background and downloads it from its job's page, and creates an API token; every page passes
axe with no console or CSP errors.

The test settings' immediate backend runs each job as its request commits, so the job's page
shows it finished; rebond/interop/tests/test_jobs.py covers a queued job's polling page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.assessments.models import Administration
from rebond.test import PASSWORD, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "partner_role,instrument,date," + ",".join(f"item_{n}" for n in range(1, 8))


def test_a_clinician_exports_imports_and_creates_a_token(
    browser: Browser, live_server: LiveServer, alice: User, tmp_path: Path
) -> None:
    base = live_server.url
    couple = make_couple(alice, "Rivera & Chen")
    context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, alice.email, PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")
    page.get_by_role("link", name="Exports and import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports for Rivera & Chen")
    checker.check("interop-case-exports")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download FHIR bundle").click()
    assert download.value.suggested_filename == f"rebond-fhir-{couple.id}.json"

    page.get_by_role("link", name="Import historical scores from a CSV file").click()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,GAD-7,2025-03-01,1,1,1,1,1,1,5\n")
    page.get_by_label("CSV file of historical scores").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Row 2, item_7: 5 is not one of 0, 1, 2, 3.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Nothing was imported")
    checker.check("interop-import-refused")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Import").click()
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\nA,GAD-7,2025-03-01,1,1,1,1,1,1,1\n")
    page.get_by_label("CSV file of historical scores").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("1 check-in imported")
    checker.check("interop-import-done")
    assert Administration.objects.filter(couple=couple).count() == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    checker.check("interop-caseload-exports")
    page.get_by_role("button", name="Make research CSV").click()
    expect(page.get_by_role("status")).to_contain_text("Your file is ready")
    checker.check("interop-job-ready")
    with page.expect_download() as research:
        page.get_by_role("link", name="Download rebond-research.csv").click()
    assert research.value.suggested_filename == "rebond-research.csv"
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("link", name="Research export (de-identified CSV)")).to_be_visible()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What is this token for?").fill("Clinic dashboard")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Copy it now")).to_be_visible()
    checker.check("interop-api-tokens")
    checker.assert_clean()
    context.close()
