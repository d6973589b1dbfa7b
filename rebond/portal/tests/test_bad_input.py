"""Every form of the partner's space: hypothesis-generated input gives either a saved answer
and a redirect, or a 4xx with field errors and nothing saved; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentRecord, ContactChannel, Partner
from rebond.portal.tests.conftest import World, open_space

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
junk = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=201, max_size=500),
    st.sampled_from(["", " ", "\x00", "improve\x00", "IMPROVE", "1", "-1", "None", "null"]),
)
extra_fields = st.dictionaries(
    st.sampled_from(["partner", "partner_id", "couple", "role", "safe_to_contact", "kind"]),
    st.text(max_size=40),
    max_size=3,
)


@pytest.fixture
def a_client(client: Client, world: World) -> Client:
    open_space(client, world.a.partner, world.clinician)
    return client


def rows(world: World) -> list[Any]:
    partners = [world.a.partner.id, world.b.partner.id]
    return [
        list(Partner.objects.filter(id__in=partners).values().order_by("id")),
        list(ContactChannel.objects.filter(partner_id__in=partners).values().order_by("id")),
        list(ConsentRecord.objects.filter(partner_id__in=partners).values().order_by("id")),
        AuditEntry.objects.count(),
    ]


@FUZZ
@given(goal=junk, extra=extra_fields)
def test_the_goal_form(a_client: Client, world: World, goal: str, extra: dict[str, str]) -> None:
    before = rows(world)
    r = a_client.post(reverse("portal:set_goal"), {**extra, "intake_goal": goal})
    if goal in {"improve", "clarify", "unsure"}:
        assert r.status_code == 302
        world.a.partner.refresh_from_db()
        assert world.a.partner.intake_goal == goal
    else:
        assert r.status_code == 400
        assert "Choose one of the options." in r.content.decode()
        assert 'aria-describedby="id_intake_goal-error"' in r.content.decode()
        assert rows(world) == before


@FUZZ
@given(hours=junk, extra=extra_fields)
def test_the_safe_hours_form(
    a_client: Client, world: World, hours: str, extra: dict[str, str]
) -> None:
    assert world.a.email is not None
    channel_id = world.a.email.id
    before = rows(world)
    url = reverse("portal:channel_hours", kwargs={"channel_id": channel_id})
    r = a_client.post(url, {**extra, "safe_hours": hours})
    if len(hours.strip()) <= 200 and "\x00" not in hours:
        assert r.status_code == 302
        assert ContactChannel.objects.get(id=channel_id).safe_hours == hours.strip()
        channel = ContactChannel.objects.get(id=channel_id)
        assert channel.safe_to_contact is True  # Extra fields never set anything else.
    else:
        assert r.status_code == 400
        assert 'aria-invalid="true"' in r.content.decode()
        assert "field-error" in r.content.decode()
        assert rows(world) == before


@FUZZ
@given(sha=junk, extra=extra_fields)
def test_the_agreement_form(
    a_client: Client, world: World, sha: str, extra: dict[str, str]
) -> None:
    document = next(iter(couple_actions.current_documents().values()))
    before = rows(world)
    url = reverse("portal:agree", kwargs={"document_id": document.id})
    r = a_client.post(url, {**extra, "sha256": sha})
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode()
    assert rows(world) == before


def test_the_agreement_form_accepts_the_exact_text(a_client: Client, world: World) -> None:
    document = next(iter(couple_actions.current_documents().values()))
    url = reverse("portal:agree", kwargs={"document_id": document.id})
    assert a_client.post(url, {"sha256": document.sha256}).status_code == 302
    consent = ConsentRecord.objects.get(partner=world.a.partner)
    assert consent.document_sha256 == document.sha256
    assert consent.captured_by == ConsentRecord.CapturedBy.SELF


@pytest.mark.parametrize("name", ["channel_not_safe", "channel_hours"])
@FUZZ
@given(channel_id=st.uuids(), hours=junk)
def test_channel_forms_with_unknown_ids_are_not_found(
    a_client: Client, world: World, name: str, channel_id: Any, hours: str
) -> None:
    before = rows(world)
    url = reverse(f"portal:{name}", kwargs={"channel_id": channel_id})
    assert a_client.post(url, {"safe_hours": hours}).status_code == 404
    assert rows(world) == before
