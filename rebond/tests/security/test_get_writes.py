"""SECURITY.md IV-05: a GET changes nothing. Every route is opened with GET and HEAD by every
role while the SQL is captured; the only writes allowed are the session and the audit trail
(policy.GET_WRITABLE_TABLES), and the few listed in policy.GET_WRITES with their reason."""

from __future__ import annotations

import re

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, own_kwargs, undone, url
from rebond.tests.security.world import ROLES, World

pytestmark = pytest.mark.django_db

SECTION = "GET writes (IV-05)"
WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?',
    re.IGNORECASE,
)


def written_tables(sql: list[str]) -> set[str]:
    return {m.group(1) for statement in sql if (m := WRITE.match(statement))}


def test_the_write_detector_reads_the_statements_django_sends() -> None:
    # The control: the pattern recognises the SQL of both backends' writes.
    assert written_tables(
        [
            'INSERT INTO "couples_partner" ("id") VALUES (1)',
            'UPDATE "django_session" SET "expire_date" = 1',
            'DELETE FROM "alerts_safetyplan" WHERE 1',
            'SELECT "x" FROM "couples_couple"',
        ]
    ) == {"couples_partner", "django_session", "alerts_safetyplan"}


@pytest.mark.slow
def test_no_get_writes_outside_the_session_and_the_audit_trail(
    world: World, clients: dict[str, Client]
) -> None:
    requests = 0
    writers: list[str] = []
    documented_seen: set[str] = set()
    for route in all_routes():
        allowed = policy.GET_WRITABLE_TABLES | policy.GET_WRITES.get(route.name, frozenset())
        for role in ROLES:
            client = clients[role]
            path = url(route, own_kwargs(world, route))
            for method in ("GET", "HEAD"):
                # Start each capture from an empty log: Django keeps the last 9000 queries
                # only, and a capture taken from a full log would see none of its own.
                reset_queries()
                with undone(client), CaptureQueriesContext(connection) as queries:
                    client.generic(method, path)
                requests += 1
                written = written_tables([q["sql"] for q in queries])
                if written & policy.GET_WRITES.get(route.name, frozenset()):
                    documented_seen.add(route.name)
                extra = written - allowed
                if extra:
                    writers.append(f"{method} {route.name} as {role} wrote to {sorted(extra)}")
    figures.record(SECTION, "GET/HEAD requests", requests)
    figures.record(SECTION, "allowed tables", ", ".join(sorted(policy.GET_WRITABLE_TABLES)))
    figures.record(SECTION, "documented GET writers", len(policy.GET_WRITES))
    figures.record(SECTION, "undocumented GET writers", len(writers))
    assert not writers, "\n".join(writers)
    # The documented exceptions still write (the list does not outlive its reason).
    assert documented_seen == set(policy.GET_WRITES), documented_seen
