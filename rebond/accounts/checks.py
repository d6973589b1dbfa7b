"""Deployment checks for the login throttle and text messages (run by `rebond check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from rebond.lib import sms


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


# Twilio's settings, each with what it is for in the error that names it missing.
TWILIO_SETTINGS = (
    ("SMS_TWILIO_ACCOUNT_SID", "the Account SID"),
    ("SMS_TWILIO_AUTH_TOKEN", "the Auth Token (or SMS_TWILIO_AUTH_TOKEN_FILE)"),
    ("SMS_TWILIO_FROM", "the number texts come from"),
)


@register(deploy=True)
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse an SMS backend that cannot send, or that would only pretend to.

    A text about an appointment that is not sent must be shown to the clinician as not sent
    (rebond/appointments/outbox.py): a Twilio backend without its credentials, or the console
    and memory backends in production (the first would also write phone numbers to the log),
    would report texts as sent that reached nobody.
    """
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return [
            Error(
                f"SMS_BACKEND={settings.SMS_BACKEND!r} cannot be imported.",
                hint="Use rebond.lib.sms.TwilioBackend, or leave SMS_BACKEND empty to send no "
                "text messages (docs/deploy.md, Text messages).",
                id="rebond.E011",
            )
        ]
    if isinstance(backend, type) and issubclass(backend, sms.TwilioBackend):
        missing = [
            f"{name} ({what})" for name, what in TWILIO_SETTINGS if not getattr(settings, name)
        ]
        if missing:
            return [
                Error(
                    "SMS_BACKEND is Twilio's but these settings are empty: "
                    + ", ".join(missing)
                    + ".",
                    hint="Set them from the Twilio console (docs/deploy.md, Text messages).",
                    id="rebond.E012",
                )
            ]
        if not settings.SMS_TWILIO_BASE_URL.startswith("https://"):
            return [
                Warning(
                    f"SMS_TWILIO_BASE_URL={settings.SMS_TWILIO_BASE_URL!r} is not https: the "
                    "Auth Token and every text would cross the network in the clear.",
                    hint="Leave SMS_TWILIO_BASE_URL empty (https://api.twilio.com).",
                    id="rebond.W002",
                )
            ]
    pretending = (sms.ConsoleBackend, sms.MemoryBackend)
    if not settings.DEBUG and isinstance(backend, type) and issubclass(backend, pretending):
        return [
            Warning(
                f"SMS_BACKEND={settings.SMS_BACKEND!r} sends nothing: texts about appointments "
                "would be marked sent while nobody receives them.",
                hint="Set SMS_BACKEND=rebond.lib.sms.TwilioBackend with its settings, or leave "
                "it empty so that texts are shown to clinicians as not sent.",
                id="rebond.W003",
            )
        ]
    return []
