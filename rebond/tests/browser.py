"""Drive Debian's Chromium through Playwright, and check every page the way a user meets it.

`PageChecker` records, for each page visited: axe-core violations (WCAG 2.2 A/AA rules and
best practices), console errors (a Content-Security-Policy violation is one), uncaught
errors, and any request to another origin. Tests assert all of them are zero.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
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


def launch_chromium() -> Iterator[Browser]:
    """Yield a headless Chromium; fail loudly (never skip) if the browser or axe is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)."
        )
    if not AXE.exists():
        raise RuntimeError(f"{AXE} not found: run `npm ci` (make test does).")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageChecker:
    page: Page
    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    axe_violations: dict[str, list[str]] = field(default_factory=dict)
    pages_checked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.on("request", self._on_request)

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
        if violations:
            self.axe_violations[name] = violations
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        self.pages_checked.append(name)

    def assert_clean(self) -> None:
        assert self.axe_violations == {}, self.axe_violations
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests


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
