"""Structured logs: one JSON object a line, with a request id, and no clinical content.

`JsonFormatter` writes a fixed set of fields (time, level, logger, message, request id and
the request fields `RequestLogMiddleware` sets) and never a record's other attributes, so a
`request` object or form data handed to a logger as `extra` cannot reach the log.
`RequestLogMiddleware` gives each request an id (echoed in the X-Request-ID response header
so an operator can match a user's report to a line) and logs one line per request naming
the route, never the path: a path holds ids and, for a private link, its token. Each request
line names the client address the login and form throttles use (`client_ip`: behind the
proxy, the address it vouches for), and so does gunicorn's access line
(rebond/lib/gunicorn_logging.py), which is JSON too.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="-")
request_logger = logging.getLogger("rebond.requests")

# The request fields RequestLogMiddleware and gunicorn's access log pass as `extra` ("path"
# only from gunicorn, without query string or private-link token); nothing else leaves a record.
REQUEST_FIELDS = ("client", "method", "route", "path", "status", "duration_ms")


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class NoRequestPaths(logging.Filter):
    """Drop the path from Django's "Not Found: /path" lines: a path may carry typed text.

    The request line of `RequestLogMiddleware` names the route instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        django = record.name in ("django.request", "django.server")
        args = record.args if isinstance(record.args, tuple) else ()
        if django and record.msg == "%s: %s" and len(args) == 2:
            record.msg, record.args = "%s", (args[0],)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            # The exception's type and traceback (code lines), never the frames' local values.
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Give each request an id and log one line for it: method, route name, status, time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from rebond.accounts.throttle import client_ip

        token = request_id.set(uuid.uuid4().hex[:16])
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            request_logger.info(
                "request",
                extra={
                    "client": client_ip(request),
                    "method": request.method,
                    "route": (match.view_name if match else None) or "-",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
        except BaseException:
            request_id.reset(token)
            raise
        response["X-Request-ID"] = request_id.get()
        # The id stays set (not reset) after a response: Django logs a 4xx or 5xx only after
        # the middleware returns, and that line must carry the id too. The next request on
        # this thread sets a new one.
        return response
