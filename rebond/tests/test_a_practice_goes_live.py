"""Issue 16's acceptance, in Chromium, from an empty database, with only `rebond clinic create`
and the web pages: the first admin enrols and invites a therapist, a safety lead and a second
therapist, who each enrol from the e-mailed link; a visitor asks for a consultation; the
therapist opens a case from it and adds the colleague as co-therapist; a partner answers a
check-in with a risk item and, unacknowledged past the clinic's window, the alert reaches the
safety lead; the therapist forgets the password and resets it; the admin deactivates the
co-therapist, whose open session is refused at the next click. Every page passes PageChecker
(axe 0 violations, no duplicate id, no console or CSP error, nothing foreign) and is kept as a
screenshot under var/screenshots/live-*.png."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.alerts import delivery
from rebond.alerts.models import Alert
from rebond.couples.models import Couple
from rebond.test import unused_totp_code
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Synthetic passphrases for synthetic people.
PASSWORDS = {
    "ana": "harbour lantern at dusk",
    "theo": "seven quiet ferries home",
    "lee": "orange kites over the bay",
    "cora": "moss on the old sea wall",
}
NEW_PASSWORD = "a fresh tide every morning"
PHQ9 = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
EXPECTED_REFUSALS = ("status of 400", "status of 409", "status of 422")


class Person:
    """One person at their own browser: a context, a page, and the checker of every page."""

    def __init__(self, browser: Browser, base: str, name: str, *, phone: bool = False) -> None:
        if phone:
            self.context: BrowserContext = browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
            )
        else:
            self.context = browser.new_context(viewport={"width": 1200, "height": 850})
        self.page: Page = self.context.new_page()
        self.checker = PageChecker(self.page, base)
        self.name = name

    def check(self, step: str) -> None:
        self.checker.check(f"live-{self.name}-{step}")

    def done(self, *, refused_before: str = "") -> None:
        """Close the browser; every page was clean, apart from the refusals the test caused."""
        expected = [*EXPECTED_REFUSALS]
        if refused_before:  # a case opened before joining its team answers 404, as designed
            expected.append(f"{refused_before}: Failed to load resource: the server responded")
        self.checker.console_errors = [
            e for e in self.checker.console_errors if not any(s in e for s in expected)
        ]
        self.context.close()
        self.checker.assert_clean()


def link_in_mail(address: str, pattern: str) -> str:
    """Return the one link matching `pattern` in the newest e-mail to `address`."""
    to_them = [m for m in mail.outbox if m.to == [address]]
    assert to_them, f"no e-mail to {address}"
    match = re.search(rf"https?://\S+{pattern}\S*", str(to_them[-1].body))
    assert match, to_them[-1].body
    return match.group(0)


def enrol(person: Person, link: str, password: str) -> None:
    """From the invitation link to the home page: password, authenticator app, recovery codes."""
    page = person.page
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    person.check("enrol-password")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Save password and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    secret = page.locator(".secret-key code").inner_text().replace(" ", "")
    person.check("enrol-authenticator")
    page.get_by_label("Enter the 6-digit code the app shows").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    person.check("enrol-recovery-codes")
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")


def invite(admin: Person, name: str, email: str, role: str) -> None:
    page = admin.page
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Invite a clinician").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("E-mail address").fill(email)
    roles = page.get_by_role("group", name="Roles")
    for box in roles.get_by_role("checkbox").all():
        box.uncheck()
    roles.get_by_role("checkbox", name=re.compile(f"^{role} ")).check()
    admin.check(f"invite-{name.split()[0].lower()}")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text(f"Invitation sent to {name} ({email})")).to_be_visible()


def test_a_practice_goes_live_from_an_empty_database(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    assert not Clinic.objects.exists()
    assert not User.objects.exists()

    # The operator creates the clinic on the command line; it prints the first admin's link.
    out = io.StringIO()
    call_command(
        "clinic", "create", "--name", "Harbour Couples", "--slug", "harbour",
        "--admin-email", "ana@harbour.example", "--admin-name", "Ana García",
        "--timezone", "Australia/Sydney", stdout=out,
    )  # fmt: skip
    printed = re.search(r"^  (http\S+/enrol/\S+/)$", out.getvalue(), re.MULTILINE)
    assert printed, out.getvalue()

    ana = Person(browser, base, "admin")
    enrol(ana, printed.group(1), PASSWORDS["ana"])
    ana.check("home")

    # The admin invites a therapist, a safety lead and a second therapist; each enrols.
    invite(ana, "Theo Therapist", "theo@harbour.example", "Therapist")
    invite(ana, "Lee Lead", "lee@harbour.example", "Safety lead")
    invite(ana, "Cora Colleague", "cora@harbour.example", "Therapist")
    ana.check("staff-three-invited")
    people = {}
    for key, email in (
        ("theo", "theo@harbour.example"),
        ("lee", "lee@harbour.example"),
        ("cora", "cora@harbour.example"),
    ):
        people[key] = Person(browser, base, key, phone=key == "lee")
        enrol(people[key], link_in_mail(email, "/enrol/"), PASSWORDS[key])
    theo, lee, cora = people["theo"], people["lee"], people["cora"]
    theo_user = User.objects.get(email="theo@harbour.example")

    # A visitor asks for a consultation on the clinic's public page, on a phone.
    visitor = Person(browser, base, "visitor", phone=True)
    visitor.page.goto(f"{base}/c/harbour/request/")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Request a consultation")
    form = visitor.page
    form.get_by_label("What should we call you?").fill("Casey")
    form.get_by_role("radio", name="E-mail").check()
    form.get_by_label("Phone number or e-mail address").fill("casey@example.test")
    form.get_by_label("When is it safe to contact you?").fill("Mornings before 11")
    form.get_by_role("group", name="May we leave a message").get_by_role("radio", name="No").check()
    form.get_by_role("checkbox", name="An affair, sexual or emotional").check()
    safety = form.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="Yes").check()
    form.get_by_role("checkbox", name="I agree that the practice may contact me").check()
    visitor.check("request-form")
    form.get_by_role("button", name="Send request").click()
    expect(form.get_by_role("heading", level=1)).to_have_text("Thank you")
    visitor.check("request-sent")
    visitor.done()

    # The therapist finds it in the inbox and opens a case.
    page = theo.page
    page.goto(f"{base}/cases/")
    page.get_by_role("link", name=re.compile(r"^Inbox")).first.click()
    page.get_by_role("link", name="Casey").click()
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Case label").fill("Casey & Jordan")
    page.get_by_label("Partner B: display name").fill("Jordan")
    page.get_by_label("Primary clinician").select_option(label="Theo Therapist")
    theo.check("open-case")
    page.get_by_role("button", name="Open the case").click()
    couple = Couple.objects.get()
    expect(page).to_have_url(f"{base}/cases/{couple.id}/")
    theo.check("case")

    # Cora joins as co-therapist: the case opens for her at once.
    cora.page.goto(f"{base}/cases/{couple.id}/")
    expect(cora.page.get_by_role("heading", level=1)).not_to_have_text("Casey & Jordan")
    team = page.locator("#team")
    team.get_by_text("Add a co-therapist").click()
    team.get_by_label("Therapist to add").select_option(label="Cora Colleague")
    team.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#team")).to_contain_text("Cora Colleague")
    theo.check("case-team")
    cora.page.goto(f"{base}/cases/{couple.id}/")
    expect(cora.page.get_by_role("heading", level=1)).to_have_text("Casey & Jordan")
    cora.check("case-as-co-therapist")

    # A PHQ-9 check-in for both; Casey gets her private link by e-mail and answers on a phone,
    # item 9 "More than half the days".
    page.goto(f"{base}/cases/{couple.id}/checkins/")
    page.get_by_label("Questionnaire", exact=True).select_option("PHQ-9")
    page.get_by_role("button", name="Schedule", exact=True).click()
    theo.check("checkins-scheduled")
    page.goto(f"{base}/cases/{couple.id}/")
    mail.outbox.clear()
    page.get_by_role("button", name="Send a private link to Casey").click()
    expect(page.get_by_text("sent", exact=False).first).to_be_visible()
    casey = Person(browser, base, "partner", phone=True)
    casey.page.goto(link_in_mail("casey@example.test", "/p/"))
    casey.page.get_by_role("link", name="Check-in 1 of 1").click()
    for item in range(1, 10):
        answer = PHQ9[2 if item == 9 else 0]
        casey.page.locator(f"#q{item}").get_by_text(answer, exact=True).click()
        expect(casey.page.locator(f"#q{item} [data-status]")).to_have_text("Saved")
    casey.check("checkin")
    casey.page.get_by_role("button", name="Finish").click()
    expect(casey.page.get_by_role("heading", level=1)).to_have_text("Thank you")
    casey.check("checkin-done")
    casey.done()

    # Nobody acknowledges it; past the clinic's window the safety sweep escalates it.
    alert = Alert.objects.get()
    clinic = Clinic.objects.get()
    window = timedelta(minutes=clinic.high_alert_ack_minutes)
    assert delivery.escalate_overdue_alerts(at=alert.created_at + window) == 1
    lee.page.goto(f"{base}/alerts/")
    row = lee.page.locator(".alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Escalated to safety leads")
    lee.check("escalated-alert")

    # The therapist forgets the password (in a fresh browser) and resets it by e-mail; the
    # second factor is still asked for.
    theo.done()
    theo = Person(browser, base, "therapist-reset")
    page = theo.page
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("theo@harbour.example")
    theo.check("forgot")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    page.goto(link_in_mail("theo@harbour.example", "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    theo.check("new-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_label("Code from your authenticator app").fill(unused_totp_code(theo_user))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_role("link", name="Casey & Jordan")).to_be_visible()
    theo.check("caseload-after-reset")

    # The admin deactivates Cora (Theo stays on the case); her open session ends at once.
    ana.page.get_by_role("link", name="Staff", exact=True).click()
    ana.page.get_by_role("link", name="Deactivate Cora Colleague").click()
    ana.check("deactivate")
    ana.page.get_by_role("button", name="Deactivate Cora Colleague").click()
    expect(ana.page.get_by_text("Cora Colleague is deactivated.")).to_be_visible()
    ana.check("deactivated")
    cora.page.get_by_role("link", name="Alerts").click()
    expect(cora.page.get_by_role("heading", level=1)).to_have_text("Log in")

    for person in (ana, theo, lee):
        person.done()
    cora.done(refused_before=f"{base}/cases/{couple.id}/")
