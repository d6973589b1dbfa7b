"""The case lifecycle through the case page (DOMAIN 7.2): guards in plain words, overrides
with a reason, and a history that is only ever appended to."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

import rebond
from rebond.accounts.models import User
from rebond.couples import actions, lifecycle
from rebond.couples.models import CaseTransition, Couple
from rebond.couples.tests.helpers import (
    HTMX,
    case_url,
    consent_to_conjoint,
    documents,
    last_audit,
    login,
    partners_of,
)
from rebond.lib.errors import ActionError
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(alice: User) -> Couple:
    return make_couple(
        alice,
        "Rivera & Chen",
        partners=("Sam Rivera", "Alex Chen"),
        status=Couple.Status.ASSESSMENT,
    )


def move(client: Client, couple: Couple, **data: str) -> object:
    return client.post(
        case_url("case_transition", couple), {f"move-{k}": v for k, v in data.items()}, headers=HTMX
    )


def test_conjoint_work_cannot_start_without_consents_and_screens(
    client: Client, alice: User, assessed: Couple
) -> None:
    r = move(login(client, alice), assessed, to_status="conjoint_active")
    assert r.status_code == 422  # type: ignore[attr-defined]
    body = r.content.decode()  # type: ignore[attr-defined]
    assert "Not yet." in body
    assert "Sam Rivera&#x27;s individual safety screen is not done." in body
    assert "Alex Chen has not consented to “Consent to couple therapy”." in body
    assert 'name="move-override"' in body  # the override is offered now
    assessed.refresh_from_db()
    assert assessed.status == Couple.Status.ASSESSMENT
    assert not CaseTransition.objects.filter(couple=assessed).exists()


def test_one_partners_consents_are_not_enough(
    client: Client, alice: User, assessed: Couple
) -> None:
    sam, _ = partners_of(assessed)
    docs = documents()
    for partner in partners_of(assessed):
        actions.record_individual_screen(alice, partner.id)
    for kind in actions.CONJOINT_CONSENTS:
        actions.record_consent(alice, sam.id, docs[kind].id)
    r = move(login(client, alice), assessed, to_status="conjoint_active")
    assert r.status_code == 422  # type: ignore[attr-defined]
    body = r.content.decode()  # type: ignore[attr-defined]
    assert "Alex Chen has not consented" in body
    assert "Sam Rivera has not consented" not in body


def test_with_both_partners_consents_and_screens_conjoint_work_starts(
    client: Client, alice: User, assessed: Couple
) -> None:
    consent_to_conjoint(alice, assessed)
    r = move(login(client, alice), assessed, to_status="conjoint_active")
    assert r.status_code == 200  # type: ignore[attr-defined]
    assessed.refresh_from_db()
    assert assessed.status == Couple.Status.CONJOINT_ACTIVE
    step = CaseTransition.objects.get(couple=assessed)
    assert not step.is_override


def test_an_override_needs_a_reason(client: Client, alice: User, assessed: Couple) -> None:
    login(client, alice)
    r = move(client, assessed, to_status="conjoint_active", override="on", reason="  ")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "Say why the case moves anyway." in r.content.decode()  # type: ignore[attr-defined]
    assessed.refresh_from_db()
    assert assessed.status == Couple.Status.ASSESSMENT

    r = move(client, assessed, to_status="conjoint_active", override="on", reason="Canary reason")
    assert r.status_code == 200  # type: ignore[attr-defined]
    body = r.content.decode()  # type: ignore[attr-defined]
    assert "Override" in body
    assert "Canary reason" in body
    assessed.refresh_from_db()
    assert assessed.status == Couple.Status.CONJOINT_ACTIVE
    step = CaseTransition.objects.get(couple=assessed)
    assert step.is_override
    assert step.reason == "Canary reason"
    assert len(step.unmet_guards) == 8  # two screens and six consents
    assert last_audit("couples.case.transition").fields == ["status"]


def test_a_move_that_always_needs_a_reason_asks_for_one(
    client: Client, alice: User, assessed: Couple
) -> None:
    r = move(login(client, alice), assessed, to_status="referred_out")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "Record your decision." in r.content.decode()  # type: ignore[attr-defined]
    r = move(client, assessed, to_status="referred_out", reason="Individual work first")
    assert r.status_code == 200  # type: ignore[attr-defined]


def test_a_move_the_lifecycle_does_not_allow_is_refused(
    client: Client, alice: User, assessed: Couple
) -> None:
    r = move(login(client, alice), assessed, to_status="closed")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assessed.refresh_from_db()
    assert assessed.status == Couple.Status.ASSESSMENT


def test_the_form_offers_only_the_allowed_next_statuses(
    client: Client, alice: User, assessed: Couple
) -> None:
    body = login(client, alice).get(case_url("case", assessed)).content.decode()
    form = body.split('name="move-to_status"')[1].split("</select>")[0]
    for status in lifecycle.allowed_next_statuses(assessed):
        assert f'value="{status}"' in form
    assert 'value="closed"' not in form


def test_the_history_is_append_only(client: Client, alice: User, assessed: Couple) -> None:
    login(client, alice)
    move(client, assessed, to_status="referred_out", reason="First")
    move(client, assessed, to_status="archived")
    steps = list(CaseTransition.objects.filter(couple=assessed))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("assessment", "referred_out"),
        ("referred_out", "archived"),
    ]
    steps[0].reason = "Rewritten"
    with pytest.raises(PermissionError):
        steps[0].save()
    body = client.get(case_url("case", assessed)).content.decode()
    assert "An archived case does not move any further." in body
    assert body.index("Referred out <span") < body.index("Assessment <span")  # newest first


def test_the_lifecycle_refuses_a_move_its_table_does_not_allow(alice: User) -> None:
    couple = make_couple(alice)  # referred
    with transaction.atomic(), pytest.raises(ActionError):
        lifecycle.move_case(
            lifecycle.lock_case(couple.pk), Couple.Status.CONJOINT_ACTIVE, by=None, reason="x"
        )
    couple.refresh_from_db()
    assert couple.status == Couple.Status.REFERRED
    assert not couple.transitions.exists()


def test_only_the_lifecycle_writes_a_case_transition() -> None:
    """Every status change goes through lifecycle.move_case; the demo only backfills history."""
    root = Path(rebond.__file__).parent
    writers = {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "CaseTransition.objects.create" in path.read_text()
    }
    assert writers == {"couples/lifecycle.py", "demo/practice.py"}
