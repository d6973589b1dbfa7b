"""In Chromium: a clinician logged in with the second factor opens the API documentation from
the API tokens page, sees the operations drawn by Swagger UI from this server's own static
files, and tries one with a token; no CSP violation, no request elsewhere, no axe violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.interop import tokens
from rebond.test import PASSWORD
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_reads_the_api_documentation_and_tries_an_operation(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    _, token = tokens.create_token(alice, "documentation page")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, alice.email, PASSWORD)
    page.goto(f"{base}/account/api-tokens/")
    page.get_by_role("link", name="the API documentation page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API documentation")
    # Swagger UI has read the schema (with this session) and drawn every operation.
    expect(page.locator(".opblock-summary-path")).to_have_count(5)
    checker.check("interop-api-docs")

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")  # Swagger UI's dialog has no dialog role
    dialog.locator("input").fill(token)
    checker.check("interop-api-docs-authorize")
    dialog.get_by_role("button", name="Authorize", exact=True).click()
    dialog.get_by_role("button", name="Close", exact=True).click()

    page.locator(".opblock-summary-control", has_text="/api/v1/alerts").click()
    expect(page.get_by_text("List the alerts addressed or escalated")).to_be_visible()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    # The request went to this server with the token: 200 and the clinician's (empty) list.
    live = page.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description pre").first).to_have_text("[]")
    checker.check("interop-api-docs-tried")
    checker.assert_clean()
    context.close()
