"""Every clinician read is audited, and so is every refused object fetch (SECURITY.md LG-01,
LG-03); a read that cannot be audited is not shown (fail closed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import CHAIN_STARTED_ACTION, GENESIS_ACTION, AuditEntry
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def reads() -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.exclude(action__startswith="couples.")
        .exclude(action__in=(GENESIS_ACTION, CHAIN_STARTED_ACTION))
        .order_by("sequence")
        .values_list("action", "object_type", "object_id")
    )


def test_a_case_read_names_the_route_and_the_case_but_nothing_shown(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, "Reading couple", partners=("Ann Canary", "Bo Canary"))
    sign_in(client, alice)
    assert client.get(reverse("case", kwargs={"couple_id": couple.id})).status_code == 200
    assert client.get(reverse("caseload")).status_code == 200
    assert reads() == [("read:case", "couple", str(couple.id)), ("read:caseload", "", "")]
    entry = AuditEntry.objects.get(action="read:case")
    assert entry.actor_id == alice.pk
    assert entry.clinic_id == alice.clinic_id
    stored = " ".join(str(v) for v in AuditEntry.objects.values_list().get(pk=entry.pk))
    assert "Canary" not in stored
    assert "Reading couple" not in stored


def test_a_refused_fetch_is_recorded_as_denied(client: Client, alice: User, bob: User) -> None:
    couple = make_couple(alice)
    sign_in(client, bob)
    assert client.get(reverse("case", kwargs={"couple_id": couple.id})).status_code == 404
    assert reads() == [("denied:case", "couple", str(couple.id))]


def test_writes_and_partner_pages_add_no_read_entries(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.first()
    assert partner is not None
    open_space(client, partner, alice)
    assert client.get("/me/").status_code == 200
    assert not AuditEntry.objects.filter(action__startswith="read:").exists()


def test_a_read_that_cannot_be_audited_is_withheld(client: Client, alice: User) -> None:
    couple = make_couple(alice, "Withheld couple")
    sign_in(client, alice)
    # A real failure of the audit table (renamed away inside the test's transaction).
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "audit_auditentry" RENAME TO "audit_gone"')
    response = client.get(reverse("case", kwargs={"couple_id": couple.id}))
    assert response.status_code == 503
    assert "Withheld couple" not in response.content.decode()
