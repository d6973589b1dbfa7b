"""SECURITY.md AC-04, AC-11, LG-04 (DOMAIN 7.5): a canary seeded in every private field
never reaches anyone without a right to it, through any channel.

Each role of the matrix fetches every page, fragment and form answer (HTML and JSON) it can
be sent; the e-mails the app sends (invitations, reminders, alert nudges) are read as their
recipients; the log records and the audit trail are read as the operator, who may see no
clinical text at all. The private fields and their readers are in world.py (one line each);
a new channel (an export, a backup) is one more function registered with `@channel`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils.timezone import now
from pypdf import PdfReader

from rebond.alerts.delivery import deliver_notifications
from rebond.assessments.reminders import send_due_reminders
from rebond.audit.models import AuditEntry
from rebond.diary.reminders import send_due_diary_reminders
from rebond.interop import exports as interop_exports
from rebond.interop.tokens import create_token as create_api_token
from rebond.lib.clinic_time import clinic_zone
from rebond.portal import actions as portal_actions
from rebond.tests import figures
from rebond.tests.security.forms import Form, post_forms
from rebond.tests.security.routes import all_routes, own_kwargs, send, undone, url
from rebond.tests.security.world import (
    CLINIC_ADMIN,
    COLLEAGUE,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    ROLES,
    SUPERVISOR,
    THERAPIST,
    World,
)

pytestmark = pytest.mark.django_db

SECTION = "Canary sweep"
# Who reads the logs and the audit trail: a server operator, who may read no clinical text.
OPERATOR = "operator"
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Exposure:
    """One thing one reader received: where it came from, and its text."""

    reader: str
    where: str
    text: str


@dataclass
class Sweep:
    world: World
    clients: dict[str, Client]
    forms: dict[str, Form]
    log_records: list[logging.LogRecord]
    scanned: dict[str, int] = field(default_factory=dict)


CHANNELS: dict[str, Callable[[Sweep], Iterator[Exposure]]] = {}


def channel(name: str) -> Callable[[Callable[[Sweep], Iterator[Exposure]]], Any]:
    def register(collect: Callable[[Sweep], Iterator[Exposure]]) -> Any:
        CHANNELS[name] = collect
        return collect

    return register


def _response_text(response: Any) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{headers}\n\n{response.content.decode(errors='replace')}"


def _every_request(sweep: Sweep, method: str, **extra: str) -> Iterator[Exposure]:
    for role in ROLES:
        client = sweep.clients[role]
        for route in all_routes():
            path = url(route, own_kwargs(sweep.world, route))
            form = sweep.forms.get(path)
            data = form.data() if form is not None and method == "POST" else None
            with undone(client):
                response = send(client, method, path, data, **extra)
            yield Exposure(role, f"{method} {path}", _response_text(response))


@channel("pages")
def pages(sweep: Sweep) -> Iterator[Exposure]:
    """Every GET of every route, as every role (bodies and headers)."""
    yield from _every_request(sweep, "GET")


@channel("fragments")
def fragments(sweep: Sweep) -> Iterator[Exposure]:
    """The same with htmx's header: the partial pages clinicians' screens swap in."""
    yield from _every_request(sweep, "GET", **HTMX)


@channel("form answers (HTML and JSON)")
def form_answers(sweep: Sweep) -> Iterator[Exposure]:
    """Every POST of every route, with the page's own form data, as every role (undone)."""
    yield from _every_request(sweep, "POST")


def _address_book(world: World) -> dict[str, str]:
    book = {user.email: role for role, user in world.people.items()}
    for role in (PARTNER_A, PARTNER_B):
        for channel_row in world.partner(role).contact_channels.all():
            book[channel_row.value] = role
    return book


@channel("e-mails")
def emails(sweep: Sweep) -> Iterator[Exposure]:
    """Invitations, check-in reminders, diary reminders and alert nudges, each read by its
    recipient."""
    world = sweep.world
    mail.outbox.clear()
    for partner in (world.c1.a, world.c1.b):
        portal_actions.invite_partner(world.people[THERAPIST], partner.id)
    deliver_notifications()
    send_due_reminders(now() + timedelta(days=60))
    # Diary reminders at noon tomorrow at the clinic, inside every address's window; their
    # delivery task checks the window again at that same moment.
    zone = clinic_zone(world.c1.couple.clinic)
    noon = (now().astimezone(zone) + timedelta(days=1)).replace(hour=12, minute=0)
    with mock.patch("rebond.diary.tasks.now", return_value=noon):
        assert send_due_diary_reminders(noon) > 0, "no diary reminder was sent to scan"
    book = _address_book(world)
    assert mail.outbox, "the e-mail channel sent nothing to scan"
    for message in mail.outbox:
        alternatives = " ".join(str(body) for body, _ in getattr(message, "alternatives", []))
        text = f"{message.subject}\n{message.body}\n{alternatives}"
        for address in message.to:
            # An address outside the matrix (another case's partner) may read nothing of C1.
            yield Exposure(book.get(address, f"outsider <{address}>"), f"e-mail to {address}", text)


@channel("log records")
def log_records(sweep: Sweep) -> Iterator[Exposure]:
    """Every log record emitted while the world was seeded and swept (message and args)."""
    assert sweep.log_records, "no log record was captured"
    for record in sweep.log_records:
        yield Exposure(OPERATOR, f"log {record.name}", f"{record.getMessage()} {record.args!r}")


@channel("audit trail")
def audit_trail(sweep: Sweep) -> Iterator[Exposure]:
    """Every audit entry, every column: ids and field names only (SECURITY.md LG-04)."""
    for values in AuditEntry.objects.values():
        yield Exposure(OPERATOR, f"audit entry {values['id']}", repr(values))


@channel("exports (FHIR, research CSV, per-person)")
def exports_channel(sweep: Sweep) -> Iterator[Exposure]:
    """The clinician's downloads; a per-person export is read by the partner it is about."""
    world = sweep.world
    therapist = world.people[THERAPIST]
    couple_id = world.c1.couple.id
    bundle = interop_exports.fhir_for_couple(therapist, couple_id, include_risk=True)
    yield Exposure(THERAPIST, "FHIR bundle of C1 (risk authorised)", bundle)
    yield Exposure(THERAPIST, "research CSV", interop_exports.research_csv(therapist))
    for role in (PARTNER_A, PARTNER_B):
        partner = world.partner(role)
        text = interop_exports.person_export(therapist, partner.id)
        yield Exposure(role, f"per-person export of {role}", text)


@channel("the partner's own data (JSON, PDF text)")
def own_data_channel(sweep: Sweep) -> Iterator[Exposure]:
    """Each partner's own download from their space, the PDF read as text: the pages channel
    sees the PDF's compressed bytes only. Lines wrap at a space or after a hyphen, so its text
    is read twice: lines joined by a space, and joined by nothing."""
    for role in (PARTNER_A, PARTNER_B):
        client = sweep.clients[role]
        data = client.get("/me/data/my-data.json")
        assert data.status_code == 200, data.status_code
        yield Exposure(role, "own data (JSON)", data.content.decode())
        pdf = client.get("/me/data/my-data.pdf")
        assert pdf.status_code == 200, pdf.status_code
        lines = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages]
        text = "\n".join(lines)
        yield Exposure(role, "own data (PDF, lines joined)", " ".join(text.split()))
        yield Exposure(role, "own data (PDF, lines run on)", text.replace("\n", ""))


@channel("JSON API (token)")
def api_channel(sweep: Sweep) -> Iterator[Exposure]:
    """Every API operation with C1's ids, as each clinician holding a token."""
    world = sweep.world
    client = Client()
    for role in (THERAPIST, SUPERVISOR, COLLEAGUE, CLINIC_ADMIN, OUTSIDER):
        _, token = create_api_token(world.people[role], "canary sweep")
        for route in all_routes():
            if not route.name.startswith("api:"):
                continue
            path = url(route, own_kwargs(world, route))
            response = client.get(path, headers={"Authorization": f"Bearer {token}"})
            yield Exposure(role, f"API GET {path}", _response_text(response))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    handler = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.mark.slow
def test_no_canary_reaches_anyone_without_a_right_to_it(
    captured_logs: list[logging.LogRecord],
    world: World,
    clients: dict[str, Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    sweep = Sweep(world, clients, post_forms(world, clients), captured_logs)
    hits: list[str] = []
    items = 0
    with django_capture_on_commit_callbacks(execute=True):
        for name, collect in CHANNELS.items():
            for exposure in collect(sweep):
                items += 1
                sweep.scanned[name] = sweep.scanned.get(name, 0) + 1
                for canary in world.canaries:
                    if canary.text in exposure.text and exposure.reader not in canary.seen_by:
                        hits.append(
                            f"{canary.where} reached {exposure.reader} via {exposure.where}"
                        )
    figures.record(SECTION, "channels scanned", len(CHANNELS))
    by_channel = ", ".join(f"{name} {count}" for name, count in sweep.scanned.items())
    figures.record(SECTION, "items scanned", f"{items} ({by_channel})")
    figures.record(SECTION, "canaries seeded", len(world.canaries))
    figures.record(SECTION, "hits", len(hits))
    assert all(sweep.scanned.get(name) for name in CHANNELS), sweep.scanned
    assert not hits, "\n".join(hits)


def test_the_sweep_sees_a_canary_where_its_owner_may_see_it(
    world: World, clients: dict[str, Client]
) -> None:
    # The control: the same pages do show the canaries to those who may read them, so a
    # sweep finding nothing is not a sweep that cannot see.
    case_page = clients[THERAPIST].get(f"/cases/{world.c1.couple.id}/").content.decode()
    own_space = clients[PARTNER_A].get("/me/").content.decode()
    visible = [c for c in world.canaries if c.text in case_page]
    assert visible
    assert all(THERAPIST in c.seen_by for c in visible)
    assert any(c.text in own_space and PARTNER_A in c.seen_by for c in world.canaries)
    # The partner's own PDF, read as text, does show their own canaries (and the sweep reads it).
    sweep = Sweep(world, clients, {}, [])
    own_pdf = " ".join(e.text for e in own_data_channel(sweep) if e.reader == PARTNER_A)
    assert any(c.text in own_pdf and PARTNER_A in c.seen_by for c in world.canaries)
