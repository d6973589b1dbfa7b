"""gunicorn's logger: JSON lines, the real client address, no private-link tokens.

`--logger-class rebond.lib.gunicorn_logging.GunicornLogger` (docs/deploy.md, section 3):
- every line gunicorn writes (its own start-up and error lines and the access lines) is one
  JSON object, in the same shape as Rebond's (rebond.ops.logging.JsonFormatter);
- the access line names the client address the throttles use (`client_ip`: behind nginx, the
  address in X-Forwarded-For that TRUSTED_PROXY_COUNT trusts), not the proxy's;
- the path loses its query string and a private link's token (its path, /p/<token>/).

Kept apart from rebond.lib.logs so that Django's logging set-up never imports gunicorn.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from rebond.lib.logs import RedactLinks, redact
from rebond.ops.logging import JsonFormatter


class GunicornLogger(Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactLinks())  # gunicorn logs each request path at debug
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):
            atoms[key] = redact(atoms.get(key))
        return atoms

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        # Imported here: the app (and Django's settings) is loaded in the worker by now.
        from rebond.accounts.throttle import client_ip

        atoms = self.atoms(resp, req, environ, request_time)
        headers = {str(name).lower(): value for name, value in resp.headers}
        self.access_log.info(
            "access",
            extra={
                # client_ip reads only request.META, which is the WSGI environ.
                "client": client_ip(SimpleNamespace(META=environ)),  # type: ignore[arg-type]
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "request_id": headers.get("x-request-id", "-"),
            },
        )
