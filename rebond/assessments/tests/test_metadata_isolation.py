"""SECURITY.md AC-05: partner B cannot tell whether partner A has started, finished, or
flagged risk on a risk instrument.

Two worlds, identical except for A: in one A has not started the PHQ-9, in the other A has
finished it with item 9 answered positively (a risk flag). Every page B can request, and every
e-mail B receives, must be byte-identical after normalising CSRF tokens, nonces, link tokens,
ids (numbered by first appearance) and times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import CrisisResource
from rebond.assessments import actions
from rebond.assessments.models import Administration
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import Partner
from rebond.portal import actions as portal_actions
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
# PHQ-9 (Kroenke, Spitzer & Williams 2001): item 9 scored >= 1 raises the risk flag.
PHQ9_RISK = {1: 3, 2: 3, 3: 2, 4: 3, 5: 2, 6: 3, 7: 2, 8: 2, 9: 3}

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r"/p/[A-Za-z0-9_-]+/"), "/p/TOKEN/"),
    (re.compile(r'<time datetime="[^"]*">[^<]*</time>'), "<time>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?"), "TIME"),
]


@dataclass
class Seen:
    pages: list[tuple[str, int, str]]
    emails: list[str]
    a_ids: set[str]


def normalise(text: str, numbering: dict[str, str]) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)

    def number(match: re.Match[str]) -> str:
        return numbering.setdefault(match.group(0), f"ID-{len(numbering) + 1}")

    return UUID_RE.sub(number, text)


def build_world(a_state: str, capture: CommitCapture) -> Seen:
    clinic = make_clinic("Harbour Practice")
    CrisisResource.objects.create(clinic=clinic, name="Night Line", phone="0800 000 111")
    therapist = make_clinician(clinic, "Dr Same")
    couple = make_couple(therapist, "Same couple", partners=("Partner One", "Partner Two"))
    a, b = couple.partners.get(role=Partner.Role.A), couple.partners.get(role=Partner.Role.B)
    for partner, address in ((a, "one@example.test"), (b, "two@example.test")):
        couple_actions.add_contact_channel(
            therapist, partner.id, ChannelDraft(kind="email", value=address, safe_to_contact=True)
        )
    phq = {x.partner_id: x for x in actions.schedule_instrument(therapist, couple.id, "PHQ-9")}
    csi = {x.partner_id: x for x in actions.schedule_instrument(therapist, couple.id, "CSI-4")}
    mail.outbox.clear()
    with capture(execute=True):
        portal_actions.invite_partner(therapist, b.id)
        portal_actions.invite_partner(therapist, a.id)
    if a_state == "finished_with_risk":
        client_a = Client()
        open_space(client_a, a, therapist)
        data = {f"item-{n}": str(v) for n, v in PHQ9_RISK.items()}
        data["submission_key"] = str(phq[a.id].submission_key)
        url = reverse("checkin_submit", kwargs={"administration_id": phq[a.id].id})
        assert client_a.post(url, data).status_code == 302
        assert phq[a.id].__class__.objects.get(id=phq[a.id].id).submission.has_risk_flag

    client_b = Client()
    open_space(client_b, b, therapist)
    urls = [reverse("portal:home"), reverse("checkin_list")]
    b_open = [phq[b.id], csi[b.id]]
    a_all = [phq[a.id], csi[a.id]]
    for administration in b_open + a_all:
        for name in ("checkin", "checkin_receipt", "checkin_autosave", "checkin_submit"):
            urls.append(reverse(name, kwargs={"administration_id": administration.id}))
    for document in couple_actions.current_documents().values():
        urls.append(reverse("portal:agreement", kwargs={"document_id": document.id}))
    pages = []
    for url in urls:
        r = client_b.get(url)
        pages.append((url, r.status_code, r.content.decode()))
    saved = client_b.post(
        reverse("checkin_autosave", kwargs={"administration_id": phq[b.id].id}),
        {"item": "2", "value": "1"},
    )
    pages.append(("autosave", saved.status_code, saved.content.decode()))
    emails = [f"{m.to}\n{m.subject}\n{m.body}" for m in mail.outbox if "two@example.test" in m.to]
    a_ids = {str(x.id) for x in Administration.objects.filter(partner=a)} | {str(a.id)}
    return Seen(pages, emails, a_ids)


def test_partner_b_sees_the_same_bytes_whatever_partner_a_has_done(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    before = build_world("not_started", django_capture_on_commit_callbacks)
    after = build_world("finished_with_risk", django_capture_on_commit_callbacks)
    assert len(before.pages) == len(after.pages) >= 20
    assert before.emails
    assert len(before.emails) == len(after.emails)
    numbering_before: dict[str, str] = {}
    numbering_after: dict[str, str] = {}
    for (url, status_1, body_1), (_, status_2, body_2) in zip(
        before.pages, after.pages, strict=True
    ):
        assert status_1 == status_2, url
        for a_id in before.a_ids:
            assert a_id not in body_1, url
        for a_id in after.a_ids:
            assert a_id not in body_2, url
        assert normalise(body_1, numbering_before) == normalise(body_2, numbering_after), url
    assert [normalise(e, numbering_before) for e in before.emails] == [
        normalise(e, numbering_after) for e in after.emails
    ]
