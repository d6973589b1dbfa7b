"""gunicorn's logger without private-link tokens (`--logger-class`, docs/deploy.md).

Kept apart from rebond.lib.logs so that Django's logging set-up never imports gunicorn.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from rebond.lib.logs import RedactLinks, redact


class GunicornLogger(Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactLinks())  # gunicorn logs each request path at debug

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):
            atoms[key] = redact(atoms.get(key))
        return atoms
