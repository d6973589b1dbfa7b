"""An erasure reaches everything: the database, a backup taken before it, exports and the API.

Issue 23 item 1: after a case or a partner is erased, the raw database, a backup taken before
and restored after, the exports and the API hold no canary of them, while everyone else's data
still opens; and `rebond audit verify` still says intact. The data is written through the
apps' own actions (rebond/crypto/tests/seeding.py puts a canary into every free-text encrypted
field), the erasure is the workflow's own, and the backup and restore are the commands.
"""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from rebond.accounts.models import User
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.crypto.fields import encrypted_fields
from rebond.crypto.rows import encrypted_models
from rebond.crypto.tests.seeding import seed_everything
from rebond.crypto.tests.test_canary import database_image
from rebond.intake.models import ConsultationRequest
from rebond.interop import exports
from rebond.interop.models import BackgroundJob
from rebond.interop.tokens import create_token
from rebond.lifecycle.erasure import erase_case, erase_partner
from rebond.lifecycle.models import ErasureReason, ErasureRecord
from rebond.test import make_couple

pytestmark = pytest.mark.django_db(transaction=True)


def readable_values() -> list[str]:
    """Every encrypted value in the database, opened through its model (raises if one fails).

    Declined consultation requests are left out: they never became a case, so no case's
    erasure reaches them (they have no retention rule of their own yet).
    """
    found: list[str] = []
    for model in encrypted_models():
        rows = model._default_manager.all()
        if model is ConsultationRequest:
            rows = rows.exclude(couple=None, status=ConsultationRequest.Status.DECLINED)
        for row in rows:
            found.extend(str(getattr(row, f.attname)) for f in encrypted_fields(model))  # type: ignore[attr-defined]
    return found


def audit_intact() -> bool:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code == 0 and "Audit chains intact" in out.getvalue()
    return "Audit chains intact" in out.getvalue()


def everything_served(alice: User, partners: list[Partner]) -> str:
    """What exports and the API hand out for the clinician's caseload, as one text."""
    parts = [
        exports.research_csv(alice),
        exports.fhir_for_caseload(alice, include_risk=True),
        *(exports.person_export(alice, partner.pk) for partner in partners),
    ]
    _token, secret = create_token(alice, "erasure test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    cases = api.get("/api/v1/cases")
    assert cases.status_code == 200
    parts.append(cases.content.decode())
    for case in json.loads(cases.content):
        parts.append(api.get(f"/api/v1/cases/{case['id']}/administrations").content.decode())
    return "\n".join(parts)


def test_an_erased_case_is_gone_from_the_database_exports_api_and_a_restored_older_backup(
    alice: User, charlie: User, tmp_path: Path
) -> None:
    erased_canary, kept_canary = (f"CANARY{uuid.uuid4().hex[:12]}" for _ in range(2))
    erased = seed_everything(alice, erased_canary)
    # Another clinic's case (seed_everything is one case per database: it counts its rows).
    kept = make_couple(charlie, f"Kept {kept_canary}", partners=(f"Kim {kept_canary}", "Lee"))
    ContactChannel.objects.create(
        partner=kept.partners.get(role="A"), kind="email", value=f"{kept_canary}@example.org"
    )
    erased_id = erased.pk
    backup = tmp_path / "before-erasure.backup"
    call_command("backup", str(backup), stdout=StringIO())

    def exports_holding_it() -> list[BackgroundJob]:
        return [j for j in BackgroundJob.objects.all() if str(erased_id) in j.couple_ids]

    # The seeding's background FHIR export names the case's partners.
    assert any(erased_canary in job.result for job in exports_holding_it())

    record = erase_case(erased, actor_or_none=None, reason=ErasureReason.RETENTION_ENDED)

    assert exports_holding_it() == []

    assert record.object_id == erased_id
    assert not Couple.objects.filter(pk=erased_id).exists()
    assert not ConsultationRequest.objects.filter(couple_id=erased_id).exists()
    assert erased_canary.encode() not in database_image()
    values = readable_values()
    assert not [v for v in values if erased_canary in v]
    assert [v for v in values if kept_canary in v]  # the other case still opens
    assert erased_canary not in everything_served(alice, [])
    served = everything_served(charlie, list(kept.partners.all()))
    assert erased_canary not in served
    assert kept_canary in served
    assert audit_intact()

    out = StringIO()
    call_command("restore", str(backup), "--force", stdout=out)

    assert "Erasures re-applied" in out.getvalue()
    assert not Couple.objects.filter(pk=erased_id).exists()
    values = readable_values()
    assert not [v for v in values if erased_canary in v]
    assert [v for v in values if kept_canary in v]
    assert erased_canary not in everything_served(alice, [])
    served = everything_served(charlie, list(Couple.objects.get(pk=kept.pk).partners.all()))
    assert erased_canary not in served
    assert kept_canary in served
    assert audit_intact()


def test_an_erased_partner_stays_erased_after_an_older_backup_is_restored(
    alice: User, bob: User, tmp_path: Path
) -> None:
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    couple = make_couple(alice, "Rivera & Chen", partners=(f"Ann {canary}", "Ben"))
    ann, ben = couple.partners.get(role="A"), couple.partners.get(role="B")
    ContactChannel.objects.create(partner=ann, kind="email", value=f"{canary}@example.org")
    ben_channel = ContactChannel.objects.create(partner=ben, kind="email", value="ben@example.org")
    backup = tmp_path / "before-erasure.backup"
    call_command("backup", str(backup), stdout=StringIO())

    erase_partner(ann, requested_by=alice, approved_by=bob, reason=ErasureReason.PERSON_REQUESTED)

    assert Partner.objects.get(pk=ann.pk).display_name == "Partner A (erased)"
    assert not ContactChannel.objects.filter(partner=ann).exists()
    assert not [v for v in readable_values() if canary in v]

    call_command("restore", str(backup), "--force", stdout=StringIO())

    # The older backup brought Ann's rows back, sealed under her destroyed key: erased again.
    assert not ContactChannel.objects.filter(partner_id=ann.pk).exists()
    assert Partner.objects.get(pk=ann.pk).display_name == "Partner A (erased)"
    assert ErasureRecord.objects.filter(
        object_id=ann.pk, reason=ErasureReason.RESTORED_AFTER_ERASURE
    ).exists()
    assert not [v for v in readable_values() if canary in v]
    assert ContactChannel.objects.get(pk=ben_channel.pk).value == "ben@example.org"
    assert Partner.objects.get(pk=ben.pk).display_name == "Ben"
    assert audit_intact()
