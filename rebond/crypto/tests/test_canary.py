"""A raw copy of the database holds none of the text users typed (SECURITY.md CR-01).

A unique canary goes into every free-text encrypted field through the apps' own actions.
Then the database is read past Django: on SQLite the exact bytes of the database image (what
a stolen file holds), on PostgreSQL a `pg_dump` of it. Neither may contain the canary, and
every value of every encrypted column, read with a raw cursor, must be a ciphertext blob.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
import yaml
from django.db import connection

from rebond.accounts.models import User
from rebond.crypto.backup import _pg_environment
from rebond.crypto.envelope import is_blob
from rebond.crypto.fields import encrypted_fields
from rebond.crypto.rows import encrypted_models
from rebond.crypto.tests.seeding import NON_TEXT_FIELDS, THERAPY_CANARY_PREFIX, seed_everything
from rebond.crypto.tests.test_inventory import INVENTORY
from rebond.tests.figures import Figures


def raw_encrypted_values() -> dict[str, list[str]]:
    """Return every stored value of every encrypted column, read with a raw cursor."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for model in encrypted_models():
            table = connection.ops.quote_name(model._meta.db_table)
            for field in encrypted_fields(model):
                column = connection.ops.quote_name(field.column)  # type: ignore[attr-defined]
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
                label = f"{model._meta.label}.{field.name}"  # type: ignore[attr-defined]
                found[label] = [str(row[0]) for row in cursor.fetchall()]
    return found


def database_image() -> bytes:
    """Return the bytes of the whole database as a thief would copy them."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return bytes(connection.connection.serialize())
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed on the PostgreSQL leg"
    return subprocess.run(
        [pg_dump, "--format=plain"],
        env=_pg_environment(connection.settings_dict),
        capture_output=True,
        check=True,
    ).stdout


def check_raw_database(alice: User, figures: Figures) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    seed_everything(alice, canary)
    stored = raw_encrypted_values()
    # Every encrypted field was exercised, and every stored value is ciphertext.
    empty = [label for label, values in stored.items() if not values]
    assert empty == [], "fields the seeding did not reach"
    plain = [label for label, values in stored.items() for v in values if not is_blob(v)]
    assert plain == []
    text_fields = set(stored) - NON_TEXT_FIELDS
    image = database_image()
    hits = image.count(canary.encode()) + image.count(THERAPY_CANARY_PREFIX.encode())
    assert hits == 0
    # The canary is really there, readable through the models (or the test proves nothing).
    from rebond.couples.models import Couple

    assert any(canary in c.label for c in Couple.objects.all())
    phi = set(yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))["phi_fields"])
    encrypted = {label for label in phi if label in stored and label not in plain}
    assert encrypted == phi
    figures.record("Crypto", "PHI fields", len(phi))
    figures.record("Crypto", "encrypted", len(encrypted))
    figures.record("Crypto", "free-text fields seeded with canaries", len(text_fields))
    figures.record("Crypto", f"raw-DB canary hits ({connection.vendor})", hits)


@pytest.mark.django_db(transaction=True)
def test_the_raw_database_holds_no_canary_and_only_ciphertext_in_encrypted_columns(
    alice: User, figures: Figures
) -> None:
    check_raw_database(alice, figures)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_canary(alice: User, figures: Figures) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    check_raw_database(alice, figures)
