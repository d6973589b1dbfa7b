"""The forms the pages really show: read from the rendered HTML, so the sweeps post what a
browser would (field names, prefixes and the values offered), for every POST route."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client
from django.urls import Resolver404, resolve

from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, own_kwargs, undone, url
from rebond.tests.security.world import CLINIC_ADMIN, PARTNER_A, THERAPIST, World


@dataclass
class Form:
    action: str
    method: str
    # Field name -> the values the page offers (options, radio values) or holds (text).
    fields: dict[str, list[str]] = field(default_factory=dict)

    def data(self) -> dict[str, str | list[str]]:
        """Return what a browser submits untouched: the first value offered for each field."""
        return {name: values[0] if values else "" for name, values in self.fields.items()}


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page
            self._form = Form(action.split("#")[0], a.get("method", "get").upper())
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None:
            return
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            values = form.fields.setdefault(name, [])
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio") and "checked" in a:
                values.insert(0, value)
            else:
                values.append(value)
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            values = form.fields[self._select]
            value = a.get("value", "")
            if "selected" in a:
                values.insert(0, value)
            elif value:
                values.append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields.setdefault(name, [])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea].insert(0, data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page_path: str, html: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


def post_forms(world: World, clients: dict[str, Client]) -> dict[str, Form]:
    """Return the forms the pages show, by the path they post to (the first one found).

    Every page of a GET route that the therapist, partner A or the clinic admin may open is
    read, with the URLs filled with C1's rows, as that role sees it.
    """
    found: dict[str, Form] = {}
    for role in (THERAPIST, PARTNER_A, CLINIC_ADMIN):
        client = clients[role]
        for route in all_routes():
            if role not in policy.allowed(route.name, "GET") or route.name == "portal:open_link":
                continue
            path = url(route, own_kwargs(world, route))
            with undone(client):
                response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in forms_on(path, response.content.decode()):
                if form.method != "POST":
                    continue
                try:
                    name = resolve(form.action.split("?")[0]).view_name
                except Resolver404:
                    continue
                if role in policy.allowed(name, "POST"):
                    found.setdefault(form.action, form)
    return found
