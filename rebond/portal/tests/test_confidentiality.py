"""Acceptance of issue 4: one partner never sees the other's private fields (DOMAIN.md 7.5;
SECURITY.md AC-03, AC-04, AC-05, LK-02, LK-03), checked with canaries (SECURITY.md 3).

Every GET address of the whole URL map is requested with each partner's private-link
session, with every id of the world in its parameters; no response body or header, and no
e-mail sent to that partner, may hold a canary of the other partner.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import SlugConverter, StringConverter, UUIDConverter

from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentRecord, ContactChannel, Couple, Partner
from rebond.ops.health import safety_sweep_beat
from rebond.portal import actions
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import World, open_space, tokens_in_outbox

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
MAX_URLS_PER_PATTERN = 400


def iter_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, inner)
        else:
            yield namespace, entry


def world_ids(world: World) -> list[uuid.UUID]:
    """Return every id a partner might try: both partners' rows, documents, links."""
    partners = [world.a.partner, world.b.partner]
    ids: list[uuid.UUID] = [world.couple.id, *(p.id for p in partners)]
    ids += ContactChannel.objects.filter(partner__in=partners).values_list("id", flat=True)
    ids += ConsentRecord.objects.filter(partner__in=partners).values_list("id", flat=True)
    ids += ConsentRecord.objects.filter(partner__in=partners).values_list("document_id", flat=True)
    ids += world.couple.injuries.values_list("id", flat=True)
    ids += PrivateLink.objects.values_list("id", flat=True)
    ids += [d.id for d in couple_actions.current_documents().values()]
    return list(dict.fromkeys(ids))


def reachable_urls(world: World, own_token: str) -> list[str]:
    """Return every GET address of the URL map, filled with every id of the world."""
    pool: dict[type, list[Any]] = {
        UUIDConverter: world_ids(world),
        StringConverter: [own_token, "not-a-token"],
        SlugConverter: [world.couple.clinic.slug],
    }
    urls = []
    for namespace, pattern in iter_patterns(get_resolver().url_patterns):
        name = namespace + str(pattern.name)
        if name == "portal:leave":
            continue  # Ends the session; checked on its own.
        converters = pattern.pattern.converters
        values = [pool.get(type(c), []) for c in converters.values()]
        combos = itertools.islice(itertools.product(*values), MAX_URLS_PER_PATTERN)
        for combo in combos:
            urls.append(reverse(name, kwargs=dict(zip(converters, combo, strict=True))))
    return urls


def crawl(client: Client, urls: list[str]) -> list[tuple[str, int, str]]:
    pages = []
    for url in urls:
        if url == reverse("healthz"):
            # A healthy installation: /healthz answers 200 however long the crawl before it
            # took (the URL map grows; PostgreSQL is slower than the sweep's 3-minute limit).
            safety_sweep_beat()
        r = client.get(url)
        headers = "\n".join(f"{k}: {v}" for k, v in r.items())
        body = r.content.decode("utf-8", errors="replace")
        pages.append((url, r.status_code, headers + "\n" + body))
        assert r.status_code < 500, url
    return pages


def give_a_private_state(world: World, role: str) -> None:
    """Fill the partner's non-text private fields: goal, consents, channel choices."""
    partner = world.side(role).partner
    couple_actions.set_intake_goal(partner, partner.id, Partner.Goal.CLARIFY)
    for document in couple_actions.current_documents().values():
        couple_actions.record_consent(partner, partner.id, document.id)
    side = world.side(role)
    assert side.phone is not None
    actions.mark_channel_not_safe(partner, side.phone.id)
    couple_actions.transition_case(world.clinician, world.couple.id, Couple.Status.INTAKE_SCHEDULED)


@pytest.mark.parametrize("viewer", ["A", "B"])
@pytest.mark.slow
def test_no_page_or_email_a_partner_can_reach_holds_the_other_partners_canaries(
    client: Client, world: World, viewer: str, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    me, other = world.side(viewer), world.other(viewer)
    # Both partners are invited: each e-mail is checked for the other's canaries.
    for side in (world.a, world.b):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.invite_partner(world.clinician, side.partner.id).is_sent
    give_a_private_state(world, "A" if viewer == "B" else "B")
    assert me.email is not None
    [token] = tokens_in_outbox(me.email.value)
    assert client.get(f"/p/{token}/").status_code == 302

    pages = crawl(client, reachable_urls(world, token))
    assert len(pages) > 50
    own_space = next(text for url, status, text in pages if url == "/me/")
    # The positive control: the crawl does see the viewer's own private fields.
    for value in me.canaries:
        assert value in own_space, value
    assert "SHARED-SUMMARY-both-may-see" in own_space
    leaks = [(url, value) for url, _, text in pages for value in other.canaries if value in text]
    assert leaks == []
    my_mail = [m for m in mail.outbox if me.email.value in m.to]
    assert len(my_mail) == 1
    for message in my_mail:
        text = f"{message.subject} {message.body} {message.to}"
        assert [v for v in other.canaries if v in text] == []
    # Nothing of a safety concern or the words of a threat to safety reaches a partner, nor
    # the clinician's own words on an injury.
    for _, _, text in pages:
        assert [v for v in world.clinician_only if v in text] == []
        assert "Physical abuse" not in text
        assert "Threat to safety" not in text


NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]+"'), "nonce"),
    (re.compile(r"nonce-[A-Za-z0-9+/=_-]+"), "nonce"),
    (re.compile(r"X-Request-ID: [0-9a-f]+"), "X-Request-ID"),  # per request (rebond/ops)
]


def normalised(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def test_a_partners_pages_do_not_change_with_the_other_partners_private_state(
    client: Client, world: World
) -> None:
    """AC-05: B's pages are identical, after normalising, whatever A's goal, consents,
    channel choices and the case status (here a safety pause) are."""
    open_space(client, world.b.partner, world.clinician)
    urls = [u for u in reachable_urls(world, "not-a-token") if u.startswith("/me/")]

    def snapshot() -> dict[str, tuple[int, str]]:
        return {url: (status, normalised(text)) for url, status, text in crawl(client, urls)}

    before = snapshot()
    a = world.a.partner
    couple_actions.set_intake_goal(a, a.id, Partner.Goal.CLARIFY)
    for document in couple_actions.current_documents().values():
        couple_actions.record_consent(a, a.id, document.id)
    assert world.a.email is not None
    actions.mark_channel_not_safe(a, world.a.email.id)
    actions.set_safe_hours(a, world.a.email.id, "changed")
    Couple.objects.filter(id=world.couple.id).update(status=Couple.Status.PAUSED_SAFETY)
    after = snapshot()
    assert before.keys() == after.keys()
    differing = [url for url in before if before[url] != after[url]]
    assert differing == []


def test_a_partner_cannot_act_on_the_other_partners_rows(client: Client, world: World) -> None:
    """LK-03 / AC-03: posting B's ids from A's session is a 404 and changes nothing."""
    open_space(client, world.a.partner, world.clinician)
    b = world.b
    assert b.email is not None
    assert b.phone is not None
    couple_actions.set_intake_goal(b.partner, b.partner.id, Partner.Goal.IMPROVE)
    document = next(iter(couple_actions.current_documents().values()))
    b_consent = couple_actions.record_consent(b.partner, b.partner.id, document.id)

    def state() -> list[Any]:
        return [
            list(ContactChannel.objects.filter(partner=b.partner).values().order_by("id")),
            list(ConsentRecord.objects.filter(partner=b.partner).values().order_by("id")),
            Partner.objects.filter(id=b.partner.id).values().get(),
        ]

    before = state()
    for channel in (b.email, b.phone):
        r = client.post(reverse("portal:channel_not_safe", kwargs={"channel_id": channel.id}))
        assert r.status_code == 404
        r = client.post(
            reverse("portal:channel_hours", kwargs={"channel_id": channel.id}),
            {"safe_hours": "taken over"},
        )
        assert r.status_code == 404
    # Ids smuggled into the partner's own forms are ignored (SECURITY.md AC-07).
    smuggled = {"partner": b.partner.id, "partner_id": b.partner.id, "consent": b_consent.id}
    r = client.post(reverse("portal:set_goal"), {"intake_goal": "unsure", **smuggled})
    assert r.status_code == 302
    r = client.post(reverse("portal:withdraw", kwargs={"document_id": document.id}), smuggled)
    assert r.status_code == 302
    assert state() == before
    world.a.partner.refresh_from_db()
    assert world.a.partner.intake_goal == "unsure"


def test_the_token_and_canaries_never_appear_in_an_address(client: Client, world: World) -> None:
    """LK-02: no href or form action of the space holds a token or a private value."""
    link = open_space(client, world.a.partner, world.clinician)
    body = client.get("/me/").content.decode()
    targets = re.findall(r'(?:href|action)="([^"]*)"', body)
    assert targets
    for target in targets:
        assert "/p/" not in target
        for value in world.a.canaries + world.b.canaries:
            assert value not in target
    assert link.token_hash is not None
