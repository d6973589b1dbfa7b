"""Where the benchmarks may write, so that they are safe on a server holding a practice's data.

- PostgreSQL only on a server named explicitly by $BENCH_DATABASE_URL (no default): the URL
  names a server (its database, usually `postgres`, is only where it connects); a URL whose
  database holds a clinic is refused outright, as a sign of pointing at production.
- The benchmark creates its own new scratch database there (`--scratch-name`, default
  `<prefix>_<random>`), refuses one that exists already, and drops it at the end.
- gunicorn servers run with no control socket (rebond.tests.live.start_gunicorn), so a
  production gunicorn's socket in ~/.gunicorn is never taken over; ports are free ones
  unless `--port` says otherwise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

from rebond.tests import live

SERVER_VARIABLE = "BENCH_DATABASE_URL"


def postgres_server() -> dict[str, object]:
    """Return the settings of $BENCH_DATABASE_URL; stop when it is unset or holds a clinic."""
    import dj_database_url
    import psycopg

    url = os.environ.get(SERVER_VARIABLE, "")
    if not url:
        raise SystemExit(
            f"bench: set {SERVER_VARIABLE} to a PostgreSQL server for scratch databases, e.g."
            " postgres://postgres@127.0.0.1:5432/postgres (nothing is written to that database)."
        )
    settings: dict[str, object] = dict(dj_database_url.parse(url))
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=str(settings["NAME"]),
        host=str(settings["HOST"] or "") or None,
        port=str(settings["PORT"] or "") or None,
        user=str(settings["USER"] or "") or None,
        password=str(settings["PASSWORD"] or "") or None,
    )
    if live.holds_a_clinic(conninfo):
        raise SystemExit(
            f"bench: {SERVER_VARIABLE} names database {settings['NAME']!r}, which holds a clinic:"
            " refusing to run beside a practice's data. Name the server's postgres database."
        )
    return settings


@contextmanager
def scratch_postgres(prefix: str, name: str | None = None) -> Iterator[live.ScratchDatabase]:
    """Create a new scratch database on $BENCH_DATABASE_URL's server; drop it afterwards."""
    try:
        with live.scratch_postgres(postgres_server(), prefix, name=name) as database:
            yield database
    except live.RefusedDatabase as exc:
        raise SystemExit(f"bench: {exc}") from None


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every benchmark shares: the scratch database's name and the port."""
    parser.add_argument(
        "--scratch-name",
        help=f"name of the new PostgreSQL scratch database on ${SERVER_VARIABLE}'s server"
        " (default: a random one); an existing database is refused",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port of Rebond's gunicorn (default: a free one)"
    )
