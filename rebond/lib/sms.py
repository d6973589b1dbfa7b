"""Text messages (SMS) through a backend named by the SMS_BACKEND setting.

Pluggable like Django's e-mail backends (`EMAIL_BACKEND`): a dotted path to a class with a
`send(to, body)` method.

- `ConsoleBackend`: the development default; prints each message to standard output.
- `MemoryBackend`: for tests; keeps each message in the module-level `outbox`.
- `DisabledBackend`: the production default until a provider is set; refuses every message
  with `SmsNotConfigured`. A text must never be reported as sent when it went nowhere (the
  console is a journal nobody reads), so the sender records it as unsendable and the
  clinician sees that the person was not told.
- `TwilioBackend`: Twilio's Messages API over HTTPS, with the standard library only.

Whatever goes wrong raises `SmsError`, which carries the provider's HTTP status and nothing
else: never the number, the text, or the provider's answer (which may echo either), so the
error can be stored, logged and audited (AppointmentMessage.last_error).
"""

from __future__ import annotations

import abc
import base64
import http.client
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """A text message was not accepted; `status` is the provider's HTTP status, if any."""

    def __init__(self, status: int | None) -> None:
        self.status = status
        super().__init__(
            f"SMS provider answered HTTP {status}"
            if status is not None
            else "SMS provider could not be reached"
        )


class SmsNotConfigured(SmsError):
    """No provider is set up on this server: retrying cannot help."""

    def __init__(self) -> None:
        self.status = None
        Exception.__init__(self, "Text messages are not set up on this server")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend(abc.ABC):
    """Send one text message, or raise SmsError. Each backend below implements `send`."""

    @abc.abstractmethod
    def send(self, to: str, body: str) -> None:
        """Deliver `body` to the number `to`; raise SmsError (a status, never a person)."""


class ConsoleBackend(BaseSmsBackend):
    """Print each message to a stream (standard output), as Django's console e-mail backend."""

    _lock = threading.RLock()

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, to: str, body: str) -> None:
        with self._lock:
            self.stream.write(f"Text message to: {to}\n{body}\n{'-' * 79}\n")
            self.stream.flush()


# What MemoryBackend sent, oldest first; tests clear it (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class MemoryBackend(BaseSmsBackend):
    """Keep each message in `rebond.lib.sms.outbox` (tests)."""

    def send(self, to: str, body: str) -> None:
        outbox.append(SmsMessage(to=to, body=body))


class DisabledBackend(BaseSmsBackend):
    """Refuse every message: no provider is configured (the production default)."""

    def send(self, to: str, body: str) -> None:
        raise SmsNotConfigured


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET that may answer 200 without sending anything:
    # any 3xx is an error here (Twilio's API never redirects).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# What people type between the digits of a number; E.164 is "+" and digits only.
_SEPARATORS = re.compile(r"[\s().\-]")


class TwilioBackend(BaseSmsBackend):
    """Send through Twilio's Messages API.

    The request, as Twilio documents it: "Create a Message resource" is
    `POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json` with the form
    parameters `To` (E.164), `From` (a Twilio number) and `Body`
    (https://www.twilio.com/docs/messaging/api/message-resource), authenticated with HTTP
    Basic, the Account SID as user name and the Auth Token as password
    (https://www.twilio.com/docs/iam/api). A created message answers 201.
    """

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.account_sid = account_sid or settings.SMS_TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.SMS_TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.SMS_TWILIO_FROM
        self.base_url = (base_url or settings.SMS_TWILIO_BASE_URL).rstrip("/")
        self.timeout = timeout or settings.SMS_TIMEOUT

    def url(self) -> str:
        sid = urllib.parse.quote(self.account_sid, safe="")
        return f"{self.base_url}/2010-04-01/Accounts/{sid}/Messages.json"

    def send(self, to: str, body: str) -> None:
        if not (self.account_sid and self.auth_token and self.from_number):
            raise SmsNotConfigured
        url = self.url()
        if not url.startswith(("https://", "http://")):
            raise SmsError(None)  # urllib would also open file: and other schemes.
        form = {"To": _SEPARATORS.sub("", to), "From": self.from_number, "Body": body}
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            error.close()  # It holds the connection open until then.
            # `from None`: the chained error would carry the provider's answer.
            raise SmsError(error.code) from None
        except (OSError, http.client.HTTPException, ValueError):
            # Unreachable, refused, reset, timed out (URLError and TimeoutError are OSErrors),
            # a garbled answer, or a malformed base URL.
            raise SmsError(None) from None
        if not 200 <= status < 300:
            raise SmsError(status)


def get_backend(path: str | None = None) -> BaseSmsBackend:
    """Return an instance of the configured backend (or of the one at `path`)."""
    backend: type[BaseSmsBackend] = import_string(path or settings.SMS_BACKEND)
    return backend()


def send_sms(to: str, body: str) -> None:
    """Send one text message through the configured backend; raise SmsError on failure."""
    get_backend().send(to, body)
