"""Acceptance of issue 8: partners see nothing of stages, markers, the cycle map or notes.

Unique strings (canaries) are written into every clinician-only field of the therapy process:
stage and AIRM reasons, marker notes, the session's clinical purpose, every cycle field, notes
of every kind and their addenda. Then every GET address of the whole URL map is requested with
each partner's private-link session, with every id of the case in its parameters; no response
and no e-mail sent to a partner may hold one of them.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.converters import StringConverter, UUIDConverter

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple
from rebond.ops.health import safety_sweep_beat
from rebond.portal import actions as portal_actions
from rebond.portal.tests.conftest import ensure_consent_documents, tokens_in_outbox
from rebond.portal.tests.test_confidentiality import iter_patterns
from rebond.therapy import actions
from rebond.therapy.actions import PositionDraft, RatingDraft
from rebond.therapy.models import AirmTransition, MarkerObservation, Note, Session
from rebond.therapy.tests.helpers import affair, deescalation_ratings, held_session, make_case

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]


def canary(name: str) -> str:
    return f"THERAPY-CANARY-{name}-{uuid.uuid4().hex[:8]}"


def seed_everything(alice: User, couple: Couple) -> list[str]:
    """Fill every clinician-only field of the therapy process with a canary; return them."""
    canaries: list[str] = []

    def c(name: str) -> str:
        value = canary(name)
        canaries.append(value)
        return value

    a, b = couple.partners.order_by("role")
    injury = affair(alice, couple)
    ratings = [*deescalation_ratings(couple), RatingDraft("EFT.STEP.1", 2, note=c("marker-note"))]
    session = held_session(alice, couple, ratings, purpose=c("clinical-purpose"))
    actions.move_stage(alice, couple.id, "S2", reason=c("stage-reason"))
    actions.move_stage(alice, couple.id, "S1", reason=c("regression-reason"))
    actions.move_airm(alice, injury.id, "a1", reason=c("airm-reason"))
    actions.move_airm(alice, injury.id, "suspended_safety", reason=c("airm-suspend"))
    actions.save_cycle(
        alice,
        couple.id,
        pattern="pursue_withdraw",
        trigger=c("trigger"),
        positions=[
            PositionDraft(
                partner_id=partner.id,
                position="pursuer" if partner == a else "withdrawer",
                action=c("action"),
                reactive_emotion=c("reactive"),
                primary_emotion=c("primary"),
                attachment_fear=c("fear"),
                need=c("need"),
            )
            for partner in (a, b)
        ],
    )
    for kind in Note.Kind.values:
        note = actions.write_note(
            alice, couple.id, kind=kind, body=c(f"note-{kind}"), session_id=session.id
        )
        actions.add_addendum(alice, note.id, body=c(f"addendum-{kind}"))
    mistaken = held_session(alice, couple)
    actions.void_session(alice, mistaken.id, reason=c("void-reason"))
    # Notes are encrypted at rest: compared after reading, not in SQL.
    assert sum(o.note.startswith("THERAPY-CANARY") for o in MarkerObservation.objects.all()) == 1
    assert AirmTransition.objects.count() == 2
    return canaries


def every_get_url(couple: Couple, token: str) -> list[str]:
    ids: list[uuid.UUID] = [couple.id, *couple.partners.values_list("id", flat=True)]
    ids += couple.injuries.values_list("id", flat=True)
    ids += Session.objects.filter(couple=couple).values_list("id", flat=True)
    ids += Note.objects.filter(couple=couple).values_list("id", flat=True)
    pool: dict[type, list[Any]] = {UUIDConverter: ids, StringConverter: [token]}
    urls = []
    for namespace, pattern in iter_patterns(get_resolver().url_patterns):
        name = namespace + str(pattern.name)
        if name == "portal:leave":
            continue
        converters = pattern.pattern.converters
        values = [pool.get(type(conv), []) for conv in converters.values()]
        for combo in itertools.islice(itertools.product(*values), 400):
            urls.append(reverse(name, kwargs=dict(zip(converters, combo, strict=True))))
    return urls


@pytest.mark.parametrize("viewer", ["A", "B"])
@pytest.mark.slow
def test_no_page_or_email_a_partner_can_reach_holds_anything_of_the_therapy_process(
    client: Client, alice: User, viewer: str, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    ensure_consent_documents()
    safety_sweep_beat()  # A healthy installation: /healthz, walked with the rest, answers 200.
    couple = make_case(alice)
    addresses = {}
    for partner in couple.partners.all():
        address = f"partner-{partner.role.lower()}-{uuid.uuid4().hex[:6]}@example.test"
        addresses[partner.role] = address
        couple_actions.add_contact_channel(
            alice, partner.id, couple_actions.ChannelDraft("email", address, True)
        )
    canaries = seed_everything(alice, couple)
    for partner in couple.partners.all():
        with django_capture_on_commit_callbacks(execute=True):
            assert portal_actions.invite_partner(alice, partner.id).is_sent
    [token] = tokens_in_outbox(addresses[viewer])
    assert client.get(f"/p/{token}/").status_code == 302

    urls = every_get_url(couple, token)
    assert len(urls) > 40
    pages = []
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, url
        headers = "\n".join(f"{k}: {v}" for k, v in r.items())
        pages.append((url, r.status_code, headers + r.content.decode("utf-8", "replace")))
    # The positive control: the partner's own space is reached and rendered.
    assert any(url == "/me/" and status == 200 for url, status, _ in pages)
    leaks = [(url, value) for url, _, text in pages for value in canaries if value in text]
    assert leaks == []
    # Nor a word of the process: no stage, step, AIRM or cycle vocabulary on partner pages.
    for url, status, text in pages:
        if status == 200:
            for word in ("Stage 1", "Blamer softening", "AIRM", "Pursue-withdraw", "Process note"):
                assert word not in text, (url, word)
    for message in mail.outbox:
        text = f"{message.subject} {message.body}"
        assert [v for v in canaries if v in text] == []


def test_the_clinician_does_see_the_canaries_on_the_therapy_pages(
    client: Client, alice: User
) -> None:
    """The positive control of the test above: the canaries are on the clinician's pages."""
    from rebond.test import sign_in

    couple = make_case(alice)
    canaries = seed_everything(alice, couple)
    sign_in(client, alice)
    text = "".join(
        client.get(reverse(name, args=[couple.id])).content.decode()
        for name in (
            "therapy",
            "therapy_sessions",
            "therapy_cycle",
            "therapy_notes",
            "therapy_timeline",
        )
    )
    for session in Session.objects.filter(couple=couple):
        path = reverse("therapy_session", args=[couple.id, session.id])
        text += client.get(path).content.decode()
    missing = [value for value in canaries if value not in text]
    assert missing == []
