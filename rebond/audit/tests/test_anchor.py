"""`rebond audit anchor` writes the signed chain head off the database, and `verify` holds the
chain to it (issue 15 D17): a rollback to an old copy of the trail, or a chain rewritten by
someone holding the key, passes every in-database check and is caught only by an anchor.
"""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from rebond import audit
from rebond.accounts.models import Clinic, User
from rebond.audit.chain import chain_key, head_mac, link_hash, values_of, verify
from rebond.audit.models import GENESIS, NO_CLINIC, AuditChainHead, AuditEntry
from rebond.audit.protection import maintenance
from rebond.test import make_clinician

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor_file(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors")
    return tmp_path / "anchors"


def write(actor: User, count: int) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(audit.log(actor=actor, action=f"test.anchor.{n}"))
    return entries


def verify_command(*args: str) -> str:
    """Run `rebond audit verify`; return its output, or raise CommandError."""
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as failure:
        verify_command(*args)
    assert failure.value.returncode == 1
    return str(failure.value)


def test_anchor_appends_one_signed_line_to_a_private_file(alice: User, anchor_file: Path) -> None:
    write(alice, 2)
    call_command("audit", "anchor")
    write(alice, 1)
    call_command("audit", "anchor")
    lines = anchor_file.read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"anchored_at", "hash", "mac", "sequence"}
    assert (first["sequence"], second["sequence"]) == (3, 4)
    assert second["hash"] == AuditChainHead.objects.get().hash
    assert stat.S_IMODE(anchor_file.stat().st_mode) == 0o600
    assert "each anchored chain holds its latest anchor." in verify_command()
    assert "chain of no clinic: 4 entries; holds its latest anchor (" in verify_command()
    assert "sequence 4)." in verify_command()


def test_verify_without_an_anchor_says_so(alice: User, settings: SettingsWrapper) -> None:
    settings.AUDIT_ANCHOR_FILE = None
    assert "not compared with an anchor (set AUDIT_ANCHOR_FILE" in verify_command()
    with pytest.raises(CommandError, match="Nowhere to write the anchor"):
        call_command("audit", "anchor")


def test_a_rollback_passes_in_the_database_and_fails_against_the_anchor(
    alice: User, anchor_file: Path, settings: SettingsWrapper
) -> None:
    write(alice, 2)
    old_head = AuditChainHead.objects.values("sequence", "hash", "mac").get()
    later = write(alice, 3)
    call_command("audit", "anchor")
    # An old copy of the trail put back: the entries after it gone, its own head restored.
    with maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [later[0].id])
        cursor.execute(
            "UPDATE audit_auditchainhead SET sequence = %s, hash = %s, mac = %s",
            [old_head["sequence"], old_head["hash"], old_head["mac"]],
        )
    assert verify().intact  # nothing in the database itself shows it
    message = refusal()
    assert "entries deleted or rolled back: the anchor of " in message
    assert "records sequence 6 but the last entry is sequence 3" in message


def test_a_chain_rewritten_with_the_key_diverges_from_the_anchor(
    alice: User, anchor_file: Path
) -> None:
    entries = write(alice, 3)
    call_command("audit", "anchor")
    # Someone holding the key edits entry 2 and recomputes every hash after it and the head.
    key = chain_key()
    with maintenance():
        AuditEntry.objects.filter(id=entries[0].id).update(reason="rewritten")
        previous = GENESIS
        for entry in AuditEntry.objects.order_by("id"):
            digest = link_hash(key, previous, values_of(entry))
            AuditEntry.objects.filter(id=entry.id).update(prev_hash=previous, hash=digest)
            previous = digest
        AuditChainHead.objects.update(hash=previous, mac=head_mac(key, NO_CLINIC, 4, previous))
    assert verify().intact
    message = refusal()
    assert f"entry id {entries[2].id} (sequence 4, test.anchor.2) differs from the anchor" in (
        message
    )


def test_a_forged_or_foreign_anchor_is_refused(alice: User, anchor_file: Path) -> None:
    write(alice, 1)
    call_command("audit", "anchor")
    line = json.loads(anchor_file.read_text())
    # An anchor of a shorter chain, written by someone without the key.
    forged = json.dumps({**line, "sequence": 1})
    with anchor_file.open("a") as handle:
        handle.write(forged + "\n")
    message = refusal()
    assert message == (
        f"Audit anchor refused: line 2 of {anchor_file}: not signed with this AUDIT_CHAIN_KEY."
    )
    assert "not an anchor line" in refusal("--file", "", "--anchor", "hello")


def test_anchor_refuses_a_broken_chain(alice: User, anchor_file: Path) -> None:
    entries = write(alice, 2)
    with maintenance(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entries[0].id])
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("audit", "anchor")
    assert not anchor_file.exists()


def test_anchor_e_mails_the_safety_leads_and_the_line_verifies(
    alice: User, clinic_a: Clinic, clinic_b: Clinic, settings: SettingsWrapper
) -> None:
    settings.AUDIT_ANCHOR_FILE = None
    lead_a = make_clinician(clinic_a, "Lee Lead", is_safety_lead=True)
    lead_b = make_clinician(clinic_b, "Lou Lead", is_safety_lead=True)
    User.objects.filter(is_safety_lead=True).update(is_active=False)
    with pytest.raises(CommandError, match="No active safety lead"):
        call_command("audit", "anchor", "--email")
    User.objects.filter(is_safety_lead=True).update(is_active=True)
    write(alice, 2)
    call_command("audit", "anchor", "--email")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead_a.email, lead_b.email])
    body = mail.outbox[0].body
    [line] = [text for text in body.splitlines() if text.startswith("{")]
    assert json.loads(line)["sequence"] == 3
    for private in (alice.email, alice.display_name, "test.anchor"):
        assert private not in body
    assert "holds its latest anchor" in verify_command("--anchor", line)
    with maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 3")
        cursor.execute("UPDATE audit_auditchainhead SET sequence = 2")
    assert "rolled back" in refusal("--anchor", line)
