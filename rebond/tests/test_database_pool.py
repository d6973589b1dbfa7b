"""PostgreSQL connections come from Django's psycopg pool and are checked before use.

rebond/lib/database.py says why; docs/deploy.md, "Connection pooling", how to size it.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from rebond.lib.database import postgresql_options

POOL = {"pool_min_size": 1, "pool_max_size": 4, "pool_timeout": 10}


def test_the_pool_is_on_by_default_with_the_sizes_given() -> None:
    options = postgresql_options(pool=True, behind_pgbouncer=False, conn_max_age=0, **POOL)
    assert options == {"pool": {"min_size": 1, "max_size": 4, "timeout": 10}}


def test_behind_pgbouncer_django_pools_nothing() -> None:
    assert postgresql_options(pool=False, behind_pgbouncer=True, conn_max_age=0, **POOL) == {}


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"pool": True, "behind_pgbouncer": True, "conn_max_age": 0}, "set DB_POOL=False"),
        ({"pool": True, "behind_pgbouncer": False, "conn_max_age": 60}, "DB_CONN_MAX_AGE=60"),
    ],
)
def test_settings_that_cannot_work_together_are_refused_naming_the_fix(
    given: dict[str, object], says: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=says):
        postgresql_options(**given, **POOL)  # type: ignore[arg-type]


def test_a_pool_smaller_than_its_minimum_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="DB_POOL_MIN_SIZE=5 is larger"):
        postgresql_options(
            pool=True,
            behind_pgbouncer=False,
            conn_max_age=0,
            pool_min_size=5,
            pool_max_size=4,
            pool_timeout=10,
        )


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_closed_connections_go_back_to_the_pool_and_are_reused() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    assert getattr(connection, "pool", None) is not None
    requests = 10
    pids = set()
    for _ in range(requests):
        pids.add(backend_pid())
        connection.close()  # the end of a request
    # Without the pool each request would end its server connection and open a new one.
    assert len(pids) <= connection.settings_dict["OPTIONS"]["pool"]["max_size"] < requests


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_the_server_dropped_is_replaced_before_use() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    dropped = backend_pid()
    connection.close()
    settings = connection.settings_dict
    conninfo = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']}"
    with psycopg.connect(f"{conninfo} dbname={settings['NAME']}", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dropped])
    # The pool checks the connection before handing it out, finds it dead and opens another:
    # the request's first query succeeds instead of failing.
    assert backend_pid() != dropped
