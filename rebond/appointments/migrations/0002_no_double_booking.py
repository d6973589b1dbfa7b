"""The database refuses two appointments of one clinician at overlapping times (issue 18).

Checked in the database, not only in a form, so two people booking the last slot at once
cannot both succeed: on PostgreSQL an exclusion constraint over (clinician, [start, end)),
which needs the btree_gist extension (trusted since PostgreSQL 13, so the database owner may
create it; docs/deploy.md); on SQLite, which has no exclusion constraints, triggers that
abort an overlapping insert or update. Both consider only the statuses that take up time
(Appointment.BLOCKING_STATUSES): a cancelled or released slot can be booked again.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BLOCKING = "('requested', 'scheduled', 'attended', 'no_show')"
# The message both databases raise; rebond/appointments/booking.py recognises it.
OVERLAP = "appointment_no_overlap"

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE appointments_appointment ADD CONSTRAINT {OVERLAP}
        EXCLUDE USING gist (clinician_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {BLOCKING})""",
]
POSTGRESQL_DOWN = [f"ALTER TABLE appointments_appointment DROP CONSTRAINT {OVERLAP}"]

# Built from the constants above only; nothing here comes from input.
_SQLITE_CHECK = f"""
    WHEN NEW.status IN {BLOCKING} AND EXISTS (
        SELECT 1 FROM appointments_appointment AS other
        WHERE other.clinician_id = NEW.clinician_id AND other.id != NEW.id
          AND other.status IN {BLOCKING}
          AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at)
    BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"""  # noqa: S608
SQLITE_UP = [
    f"CREATE TRIGGER {OVERLAP}_insert BEFORE INSERT ON appointments_appointment {_SQLITE_CHECK}",
    f"CREATE TRIGGER {OVERLAP}_update BEFORE UPDATE ON appointments_appointment {_SQLITE_CHECK}",
]
SQLITE_DOWN = [f"DROP TRIGGER {OVERLAP}_insert", f"DROP TRIGGER {OVERLAP}_update"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
