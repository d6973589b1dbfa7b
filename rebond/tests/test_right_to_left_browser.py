"""A right-to-left language needs no new CSS (issue 20 item 5): in Chromium, the public request
page with `<html dir="rtl">` mirrors itself. Its heading and fields start at the right edge of
their card instead of the left, the quick-exit button moves to the other side of the header,
nothing overflows sideways, and the page still passes axe-core.

No right-to-left language ships yet, so the test sets `dir` on the page as base.html would for
one (LANGUAGE_BIDI); test_logical_css.py keeps every stylesheet in logical properties.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from rebond.test import make_clinic
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edges(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["x"], box["x"] + box["width"]


def layout(page: Page) -> dict[str, tuple[float, float]]:
    return {
        "card": edges(page, "main .card"),
        "heading": edges(page, "main .card h2"),
        "label": edges(page, "main .card label"),
        "quick exit": edges(page, ".quick-exit__button"),
    }


def test_the_request_page_mirrors_itself_right_to_left(
    browser: Browser, live_server: LiveServer
) -> None:
    clinic = make_clinic("Harbour Couples Practice")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    checker = PageChecker(page, live_server.url)
    page.goto(f"{live_server.url}/c/{clinic.slug}/request/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    ltr = layout(page)
    page.evaluate("document.documentElement.dir = 'rtl'")
    rtl = layout(page)
    width = page.evaluate("document.documentElement.clientWidth")

    card_left, card_right = ltr["card"]
    # Left to right: text starts at the card's left; right to left: at its right.
    for part in ("heading", "label"):
        start, _end = ltr[part]
        assert start - card_left < 40, (part, ltr)
        _start, end = rtl[part]
        assert rtl["card"][1] - end < 40, (part, rtl)
        assert end > (card_left + card_right) / 2, (part, rtl)
    # The card itself stays centred; the quick exit crosses to the other end of the header.
    assert abs(rtl["card"][0] - card_left) < 2
    assert ltr["quick exit"][0] > width / 2
    assert rtl["quick exit"][1] < width / 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    checker.check("request-page-right-to-left")
    context.close()
    checker.assert_clean()
