"""Deployment checks for the login throttle (run by `rebond check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("security", deploy=True)
def check_proxy_address(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when, behind a reverse proxy, every client would share the proxy's address.

    The per-address login limit then counts everyone's failures together, so one attacker can
    slow every clinician's login (SECURITY.md 1.5, the django-axes lesson), and the public
    request form's per-address limit turns into one allowance for the whole world.
    """
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and settings.TRUSTED_PROXY_COUNT == 0:
        return [
            Warning(
                "BEHIND_TLS_PROXY=True but TRUSTED_PROXY_COUNT=0: every client appears to come "
                "from the proxy's address, so the per-address limits on logins and consultation "
                "requests would count everyone together.",
                hint="Set TRUSTED_PROXY_COUNT to the number of reverse proxies in front of "
                "Rebond (usually 1), and make the proxy overwrite X-Forwarded-For.",
                id="rebond.W001",
            )
        ]
    return []
