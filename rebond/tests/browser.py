"""Drive Debian's Chromium through Playwright, and check every page the way a user meets it.

`PageChecker` records, for each page visited: axe-core violations (WCAG 2.2 A/AA rules and
best practices), duplicate element ids (axe reports those only as "incomplete", yet a
duplicated id gives a second field no name and makes its label tick the first one), console
errors (a Content-Security-Policy violation is one), uncaught errors, and any request to
another origin. Tests assert all of them are zero.

`check_reflow_and_focus` adds what axe cannot see at a narrow width and large text: sideways
scrolling (WCAG 1.4.10) and a focused element hidden under the fixed quick-exit button
(2.4.11). `large_text` sets Chromium's own default font size, as a person who chose a larger
text size in the browser has it (so `rem`, `em` and em-based media queries all follow).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = Path(os.environ.get("REBOND_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Chromium flags for a sandboxed, offline CI machine: no background calls to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Chromium's default text size is 16px (monospace 13px): twice that is "200% text".
DEFAULT_FONT_PX = {"standard": 16, "fixed": 13}

DUPLICATE_IDS = """() => {
    const seen = new Map();
    for (const element of document.querySelectorAll('[id]')) {
        seen.set(element.id, (seen.get(element.id) || 0) + 1);
    }
    return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `${id} x${count}`);
}"""

# The elements that stick out past the right edge, innermost first, to say what overflows.
STICKING_OUT = """(width) => {
    const out = [...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > width + 0.5 &&
             ![...e.children].some(c => c.getBoundingClientRect().right > width + 0.5));
    return out.slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className}: ` +
        `${(e.textContent || '').trim().slice(0, 40)}`);
}"""

# Every element a keyboard can reach (radios each: arrow keys reach them one by one), with the
# part of it hidden once it has focus: under the fixed quick exit (its whole fixed box, which
# on a phone is a full-width bar), or outside the window. Each element is first scrolled to
# just above the top edge, the worst place it can come from (Shift+Tab, or arrow keys up a
# radio group): receiving focus must bring it fully into view and clear of the quick exit.
OBSCURED_WHEN_FOCUSED = """() => {
    const button = document.querySelector('[data-quick-exit]');
    if (!button) return ['no quick-exit button on this page'];
    const fixed = button.closest('.quick-exit') || button;
    const found = [];
    const hits = (box, exit) => box.left < exit.right && box.right > exit.left &&
        box.top < exit.bottom && box.bottom > exit.top;
    // The header's own text, at the top of the page, is not under the quick exit either.
    window.scrollTo(0, 0);
    for (const part of document.querySelectorAll('.site-header__inner > *')) {
        if (hits(part.getBoundingClientRect(), fixed.getBoundingClientRect())) {
            found.push(`header "${part.textContent.trim().slice(0, 40)}" under the quick exit`);
        }
    }
    const focusable = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
    for (const element of focusable) {
        if (fixed.contains(element) || element.tabIndex < 0 || element.disabled) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (document.activeElement) document.activeElement.blur();
        window.scrollBy(0, box.bottom - 1);
        element.focus();
        const focused = element.getBoundingClientRect();
        const exit = fixed.getBoundingClientRect();
        const width = Math.min(focused.right, exit.right) - Math.max(focused.left, exit.left);
        const height = Math.min(focused.bottom, exit.bottom) - Math.max(focused.top, exit.top);
        // (An element taller than the room below the quick exit need only start in view.)
        const fits = focused.height <= window.innerHeight - exit.bottom;
        const outside = focused.top < 0 || (fits && focused.bottom > window.innerHeight);
        if ((width > 0 && height > 0) || outside) {
            const name = (element.labels && element.labels[0] ? element.labels[0].textContent
                : element.textContent || element.name || element.id).trim().slice(0, 40);
            found.push(`${element.tagName.toLowerCase()} "${name}" at ` +
                `${Math.round(focused.top)}-${Math.round(focused.bottom)}px, quick exit ` +
                `${Math.round(exit.top)}-${Math.round(exit.bottom)}px`);
        }
    }
    document.activeElement.blur();
    window.scrollTo(0, 0);
    return found;
}"""


def launch_chromium() -> Iterator[Browser]:
    """Yield a headless Chromium; fail loudly (never skip) if the browser or axe is missing.

    Between Playwright calls its event loop stays marked as running in this thread, and
    Django refuses ORM calls there unless DJANGO_ALLOW_ASYNC_UNSAFE is set: the suite's
    `browser` fixture (rebond/conftest.py) sets it only around each browser test, with
    `playwright_calls`; a script that also uses the ORM between browser calls sets it itself.
    """
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)."
        )
    if not AXE.exists():
        raise RuntimeError(f"{AXE} not found: run `npm ci` (make test does).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def playwright_idle() -> Iterator[asyncio.AbstractEventLoop]:
    """Unmark Playwright's event loop as running in this thread; yield the loop.

    Playwright's sync API leaves its loop marked as running in the calling thread after every
    call (playwright/_impl/_greenlets.py, wait_for_future), which makes Django's ORM refuse to
    run there and `asyncio.run` fail. A browser kept for the whole session is idle between its
    tests: everything else must run as without it. Call right after a Playwright call.
    """
    loop = asyncio.get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield loop
    finally:
        # Playwright's next call resumes its loop where it stopped, marked running again.
        asyncio.events._set_running_loop(loop)


@contextmanager
def playwright_calls(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Mark Playwright's loop running again for the calls of one test (see playwright_idle)."""
    asyncio.events._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(None)


@dataclass
class PageChecker:
    page: Page
    origin: str
    # The browser's text size in percent (see large_text); 100 is Chromium's default.
    text_percent: int = 100
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    axe_violations: dict[str, list[str]] = field(default_factory=dict)
    sideways_scroll: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    obscured_focus: dict[str, list[str]] = field(default_factory=dict)
    pages_checked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.on("request", self._on_request)
        if self.text_percent != 100:
            large_text(self.page, self.text_percent)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.console_errors.append(f"{self.page.url}: {message.text}")

    def _on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def check(self, name: str) -> None:
        """Run axe on the current page, keep a screenshot, and record what was found."""
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return result.violations.map(v => `${v.id} (${v.impact}): ` +
                    v.nodes.map(n => n.failureSummary).join(" / ") + " at " +
                    v.nodes.map(n => n.target.join(' ')).join(', '));
            }""",
            AXE_TAGS,
        )
        # Recorded with axe's findings, so every test that asserts those sees duplicates too.
        violations += [f"duplicate id: {d}" for d in self.page.evaluate(DUPLICATE_IDS)]
        if violations:
            self.axe_violations[name] = violations
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # Chromium drops the text size while it captures a full page (and keeps it dropped on
        # this page): with large text, only the visible part is captured.
        full_page = self.text_percent == 100
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
        self.pages_checked.append(name)

    def check_reflow(self, name: str) -> None:
        """check(), and also record any sideways scrolling (WCAG 1.4.10)."""
        # Measured against the width the test set, not innerWidth (a mobile browser zooms out
        # to fit a page that overflows, and innerWidth grows with it), and before check()'s
        # full-page screenshot, after which Chromium lays the page out at the viewport again.
        self.page.wait_for_load_state("networkidle")
        # The text really is at the size under test on this page.
        root_font = self.page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert root_font == f"{DEFAULT_FONT_PX['standard'] * self.text_percent // 100}px"
        viewport = self.page.viewport_size
        assert viewport is not None
        overflow = self.page.evaluate("document.documentElement.scrollWidth") - viewport["width"]
        if overflow > 0:
            self.sideways_scroll[name] = (
                overflow,
                self.page.evaluate(STICKING_OUT, viewport["width"]),
            )
        self.check(name)

    def check_reflow_and_focus(self, name: str) -> None:
        """check_reflow(), and also record focus hidden under the quick exit (WCAG 2.4.11)."""
        self.check_reflow(name)
        self.page.keyboard.press("Shift")  # a keyboard user, whatever was clicked before
        obscured = self.page.evaluate(OBSCURED_WHEN_FOCUSED)
        if obscured:
            self.obscured_focus[name] = obscured

    def assert_clean(self) -> None:
        assert self.axe_violations == {}, self.axe_violations
        assert self.sideways_scroll == {}, self.sideways_scroll
        assert self.obscured_focus == {}, self.obscured_focus
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests


def large_text(page: Page, percent: int = 200) -> None:
    """Set Chromium's default font size to `percent` of its usual 16px for this page's tab.

    This is the browser's own text-size setting (DevTools protocol `Page.setFontSizes`), not a
    stylesheet injected into the page: the Content-Security-Policy stays whole, and it holds
    across navigations in this tab.
    """
    session = page.context.new_cdp_session(page)
    session.send(
        "Page.setFontSizes",
        {"fontSizes": {k: v * percent // 100 for k, v in DEFAULT_FONT_PX.items()}},
    )


def log_in(page: Page, base: str, email: str, password: str) -> None:
    """Log a clinician in through the login page, completing every step a real login needs.

    After the password comes the second factor: a clinician without an authenticator app is
    given one in the database first (as if enrolled earlier), and the code is computed from
    its seed with the same TOTP library the server uses, then typed into the verify page.
    """
    from rebond.accounts.models import User
    from rebond.test import ensure_totp_device, unused_totp_code

    user = User.objects.get(email=email)
    ensure_totp_device(user)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    page.get_by_label("Code from your authenticator app").fill(unused_totp_code(user))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
