"""How Rebond connects to PostgreSQL: Django's psycopg pool by default, or PgBouncer.

Each gunicorn worker serves one request at a time, so its pool needs few connections: one
for requests, and room for the threads of a task worker (heartbeat, clean-up). The pool
keeps them open between requests (a new PostgreSQL connection costs a fork on the server
and, over TLS, a handshake) and checks each before handing it out (CONN_HEALTH_CHECKS).

Several application servers may instead share PgBouncer in transaction mode
(docs/deploy.md, "Connection pooling"). Then Django's pool is off, because two poolers in a
row only add waiting, and server-side cursors are off (settings.py). Prepared statements
need nothing: Django's psycopg backend does not prepare them unless told to.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured


def postgresql_options(
    *,
    pool: bool,
    behind_pgbouncer: bool,
    conn_max_age: int | None,
    pool_min_size: int,
    pool_max_size: int,
    pool_timeout: int,
) -> dict[str, Any]:
    """Return the DATABASES OPTIONS for PostgreSQL, refusing settings that cannot work."""
    if pool and behind_pgbouncer:
        raise ImproperlyConfigured(
            "DB_PGBOUNCER=True with DB_POOL=True puts two connection pools in a row:"
            " set DB_POOL=False when PgBouncer pools the connections."
        )
    if pool and conn_max_age:
        raise ImproperlyConfigured(
            f"DB_CONN_MAX_AGE={conn_max_age} keeps one connection per process, which the pool"
            " (DB_POOL=True, the default) already does better: remove DB_CONN_MAX_AGE, or set"
            " DB_POOL=False to keep persistent connections without a pool."
        )
    if not pool:
        return {}
    if pool_min_size > pool_max_size:
        raise ImproperlyConfigured(
            f"DB_POOL_MIN_SIZE={pool_min_size} is larger than DB_POOL_MAX_SIZE={pool_max_size}."
        )
    return {
        "pool": {
            "min_size": pool_min_size,
            "max_size": pool_max_size,
            # Seconds a request waits for a free connection before failing with an error.
            "timeout": pool_timeout,
        }
    }
