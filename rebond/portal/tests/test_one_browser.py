"""A private link is exchanged once, for a session in one browser (issue 15 A2).

Each Django test `Client` is an independent browser with its own cookies. The first to open a
link is bound to it and may open it again; any other browser is asked for the PIN or shown a
calm page that says nothing of what is behind it, and the partner is told in their own
browser. Expiry, revocation, the PIN lockout and the audit keep working.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime, now
from pytest_django import Settings

from rebond.audit.models import AuditEntry
from rebond.portal import actions
from rebond.portal.models import LinkOpenedElsewhere, LinkPin, PrivateLink, hash_token
from rebond.portal.session import SESSION_KEY, browser_cookie_name
from rebond.portal.tests.conftest import World, make_link
from rebond.tests.figures import Figures

pytestmark = pytest.mark.django_db

PIN = "482915"
CALM = "This link has already been used"
TOLD = "Your link was opened in another browser"
OPENINGS = 5


def has_space(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def test_one_link_opened_from_five_browsers_gives_one_session(
    world: World, figures: Figures
) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    browsers = [Client() for _ in range(OPENINGS)]
    for browser in browsers:
        browser.get(f"/p/{token}/")
    sessions = sum(has_space(browser) for browser in browsers)
    figures.record(
        "A2 private links",
        f"sessions from one link opened {OPENINGS} times in {OPENINGS} browsers",
        sessions,
    )
    assert sessions == 1
    assert has_space(browsers[0])
    assert LinkOpenedElsewhere.objects.count() == OPENINGS - 1
    assert AuditEntry.objects.filter(action="portal.link.use").count() == 1
    assert AuditEntry.objects.filter(action="portal.link.elsewhere").count() == OPENINGS - 1


def test_the_same_browser_reopening_its_own_link_keeps_working(world: World) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    browser = Client()
    for _ in range(OPENINGS):
        r = browser.get(f"/p/{token}/")
        assert r.status_code == 302
        assert r["Location"] == "/me/"
        assert has_space(browser)
    # Also once its session is gone (idle timeout): the browser cookie outlives the session.
    browser.session.flush()
    assert browser.get(f"/p/{token}/")["Location"] == "/me/"
    assert has_space(browser)
    assert not LinkOpenedElsewhere.objects.exists()
    link.refresh_from_db()
    assert link.browser_hash
    assert len(link.browser_hash) == 64


def test_another_browser_gets_a_calm_page_with_no_hint_of_what_is_behind_it(
    world: World,
) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    Client().get(f"/p/{token}/")
    other = Client()
    r = other.get(f"/p/{token}/")
    assert r.status_code == 403
    body = r.content.decode()
    assert CALM in body
    assert "ask your therapist for a new one" in body
    assert token not in body
    for secret in (
        *world.a.canaries,
        *world.b.canaries,
        world.couple.label,
        world.clinician.display_name,
        str(world.clinician.clinic),
        "PHQ",
        "ASQ",
        "HITS",
        "check-in",
    ):
        assert secret.lower() not in body.lower(), secret
    assert SESSION_KEY not in other.session
    assert not has_space(other)


def test_the_browser_cookie_is_signed_httponly_samesite_and_secure_over_https(
    world: World, settings: Settings
) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    browser = Client()
    r = browser.get(f"/p/{token}/")
    cookie = r.cookies[browser_cookie_name()]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == 14 * 24 * 3600
    assert not cookie["secure"]  # The test settings run without HTTPS.
    key = cookie.value.split(":")[0]
    link = PrivateLink.objects.get(token_hash=hash_token(token))
    assert link.browser_hash == hash_token(key) != key
    # A forged (unsigned) copy of the key is not that browser.
    forger = Client()
    forger.cookies[browser_cookie_name()] = key
    assert forger.get(f"/p/{token}/").status_code == 403

    settings.SESSION_COOKIE_SECURE = True
    _, token = make_link(world.b.partner, world.clinician)
    r = Client().get(f"/p/{token}/", secure=True)
    cookie = r.cookies["__Host-rebond-browser"]
    assert cookie["secure"]
    assert cookie["httponly"]


def test_with_a_pin_the_other_browser_is_asked_for_it_and_gets_in(world: World) -> None:
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    link, token = make_link(world.a.partner, world.clinician)
    own = Client()
    assert own.get(f"/p/{token}/")["Location"] == "/me/pin/"
    assert own.post("/me/pin/", {"pin": PIN}).status_code == 302
    assert has_space(own)
    link.refresh_from_db()
    bound_to = link.browser_hash
    assert bound_to

    other = Client()
    assert other.get(f"/p/{token}/")["Location"] == "/me/pin/"
    assert not has_space(other)
    assert other.post("/me/pin/", {"pin": PIN}).status_code == 302
    assert has_space(other)
    link.refresh_from_db()
    assert link.browser_hash == bound_to  # Still the first browser's link.
    assert LinkOpenedElsewhere.objects.filter(link=link).count() == 1
    # The own browser still opens it (with its PIN, as every opening asks).
    assert own.get(f"/p/{token}/")["Location"] == "/me/pin/"
    assert own.post("/me/pin/", {"pin": PIN}).status_code == 302
    assert has_space(own)


def test_with_a_pin_the_link_is_bound_only_once_the_pin_is_right(world: World) -> None:
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    link, token = make_link(world.a.partner, world.clinician)
    guesser = Client()
    guesser.get(f"/p/{token}/")
    assert guesser.post("/me/pin/", {"pin": "000000"}).status_code == 400
    link.refresh_from_db()
    assert link.browser_hash == ""
    partner = Client()
    partner.get(f"/p/{token}/")
    partner.post("/me/pin/", {"pin": PIN})
    link.refresh_from_db()
    assert link.browser_hash
    assert not LinkOpenedElsewhere.objects.exists()


def test_wrong_pins_from_another_browser_still_lock_the_link(world: World) -> None:
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    link, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    own.post("/me/pin/", {"pin": PIN})
    other = Client()
    other.get(f"/p/{token}/")
    for _ in range(4):
        assert other.post("/me/pin/", {"pin": "000000"}).status_code == 400
    assert other.post("/me/pin/", {"pin": "000000"}).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is not None
    # Revoked: the session it opened in the own browser ends, and the link opens nothing.
    assert not has_space(own)
    assert own.get(f"/p/{token}/").status_code == 404


def test_the_partner_is_told_in_their_own_browser_when_and_reads_it(world: World) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    assert TOLD not in own.get("/me/").content.decode()
    Client().get(f"/p/{token}/")
    opening = LinkOpenedElsewhere.objects.get()
    page = own.get("/me/").content.decode()
    assert TOLD in page
    assert date_format(localtime(opening.opened_at), "j F Y, H:i") in page
    # Shown in the clinic's time zone, as the partner reads clocks.
    clinic = world.a.partner.couple.clinic
    clinic.timezone = "Australia/Sydney"
    clinic.save(update_fields=["timezone"])
    sydney = localtime(opening.opened_at, ZoneInfo("Australia/Sydney"))
    assert date_format(sydney, "j F Y, H:i") in own.get("/me/").content.decode()
    # Also on the next visit through the link itself, and on the check-in list.
    assert TOLD in own.get(f"/p/{token}/", follow=True).content.decode()
    assert TOLD in own.get(reverse("checkin_list")).content.decode()
    # The other partner, in their own browser, is told nothing.
    b_browser = Client()
    _, b_token = make_link(world.b.partner, world.clinician)
    b_browser.get(f"/p/{b_token}/")
    assert TOLD not in b_browser.get("/me/").content.decode()
    # Read: the notice goes, and the acknowledgement is audited.
    r = own.post(reverse("portal:elsewhere_seen"))
    assert r.status_code == 302
    assert TOLD not in own.get("/me/").content.decode()
    opening.refresh_from_db()
    assert opening.seen_at is not None
    assert AuditEntry.objects.filter(action="portal.link.elsewhere_seen").count() == 1


def test_a_pin_entered_in_another_browser_does_not_show_that_browser_the_notice(
    world: World,
) -> None:
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    _, token = make_link(world.a.partner, world.clinician)
    own, other = Client(), Client()
    for browser in (own, other):
        browser.get(f"/p/{token}/")
        browser.post("/me/pin/", {"pin": PIN})
    assert TOLD not in other.get("/me/").content.decode()
    assert TOLD in own.get("/me/").content.decode()


def test_the_pin_is_offered_at_first_use_and_then_opens_other_browsers(world: World) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    page = own.get("/me/").content.decode()
    offer = page.index("Keep your space yours: choose a PIN")
    assert offer < page.index("What you hope for")  # First thing in the first session.
    r = own.post(reverse("portal:choose_pin"), {"pin": "1357", "pin_again": "1375"})
    assert r.status_code == 400
    assert "The two PINs are not the same." in r.content.decode()
    assert not LinkPin.objects.exists()
    r = own.post(reverse("portal:choose_pin"), {"pin": "1357", "pin_again": "1357"})
    assert r.status_code == 302
    link_pin = LinkPin.objects.get(partner=world.a.partner)
    assert link_pin.set_by is None
    assert "1357" not in link_pin.pin_hash
    entry = AuditEntry.objects.get(action="portal.pin.choose")
    assert "1357" not in str(entry.__dict__)
    # The session that chose it goes on, and the offer is gone.
    page = own.get("/me/").content.decode()
    assert "choose a PIN" not in page
    # Another browser now gets the PIN page, and the PIN opens the space there.
    other = Client()
    assert other.get(f"/p/{token}/")["Location"] == "/me/pin/"
    assert other.post("/me/pin/", {"pin": "1357"}).status_code == 302
    assert has_space(other)
    # A PIN cannot be chosen over an existing one (only the clinician changes it).
    own.post(reverse("portal:choose_pin"), {"pin": "2468", "pin_again": "2468"})
    link_pin.refresh_from_db()
    assert link_pin.set_by is None
    assert LinkPin.objects.count() == 1


def test_the_offer_moves_down_after_the_first_session(world: World) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    own.session.flush()
    own.get(f"/p/{token}/")
    page = own.get("/me/").content.decode()
    assert page.index("What you hope for") < page.index("Keep your space yours: choose a PIN")


def test_logging_out_makes_the_browser_forget_its_link(world: World) -> None:
    _, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    r = own.post("/me/leave/")
    assert r.cookies[browser_cookie_name()].value == ""
    assert own.get(f"/p/{token}/").status_code == 403


def test_expired_and_revoked_links_stay_not_valid_in_their_own_browser(world: World) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    own = Client()
    own.get(f"/p/{token}/")
    PrivateLink.objects.filter(id=link.id).update(expires_at=now() - timedelta(seconds=1))
    assert own.get(f"/p/{token}/").status_code == 404
    assert not has_space(own)
    PrivateLink.objects.filter(id=link.id).update(expires_at=now() + timedelta(days=1))
    actions.revoke_link(world.clinician, link.id)
    assert own.get(f"/p/{token}/").status_code == 404
