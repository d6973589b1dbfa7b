"""Issue 16: an invited clinician reaches nothing until their authenticator app is confirmed.

Over every route of the policy table, by GET and POST: Ivy, who opened her invitation link
but has no password, is refused everything but the public pages and her password page; Ed,
who set his password through his link but has not confirmed a code, is logged in, and every
page that needs a login sends him to the authenticator enrolment, except that page itself
and the way out. No page answers either of them with anything of the clinic's.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse

from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, is_refused, own_kwargs, send, undone, url
from rebond.tests.security.world import ANONYMOUS, ENROLLING, INVITED, World

pytestmark = pytest.mark.django_db

# Ed's own pages while he owes the second factor: the enrolment, and logging out.
ENROLLING_OWN = {"mfa_enrol", "logout"}


def test_an_invited_clinician_without_a_password_reaches_only_public_pages_and_enrolment(
    world: World, clients: dict[str, Client]
) -> None:
    client = clients[INVITED]
    reached: list[str] = []
    for route in all_routes():
        path = url(route, own_kwargs(world, route))
        for method in ("GET", "POST"):
            with undone(client):
                response = send(client, method, path)
            public = ANONYMOUS in policy.allowed(route.name, method)
            if route.name == "enrolment_password" or public:
                continue
            if not is_refused(response):
                reached.append(f"{method} {route.name}: {response.status_code}")
    assert reached == []


def test_an_invited_clinician_with_a_password_but_no_confirmed_code_is_sent_to_the_enrolment(
    world: World, clients: dict[str, Client]
) -> None:
    client = clients[ENROLLING]
    enrol = reverse("mfa_enrol")
    checked = 0
    reached: list[str] = []
    for route in all_routes():
        path = url(route, own_kwargs(world, route))
        view = resolve(path).func
        if route.name in ENROLLING_OWN or getattr(view, "login_required", True) is False:
            continue  # public pages (the matrix covers them) and his own
        for method in ("GET", "POST"):
            with undone(client):
                response = send(client, method, path)
            checked += 1
            location = response.get("Location", "")
            if response.status_code != 302 or location.split("?")[0] != enrol:
                reached.append(f"{method} {route.name}: {response.status_code} {location}")
    assert checked > 150, checked
    assert reached == []
    # His own pages: the enrolment (the app's key and QR code, his account only).
    page = client.get(enrol)
    assert page.status_code == 200
    assert "Set up two-factor login" in page.content.decode()
