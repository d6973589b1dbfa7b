"""Text-message backends (rebond/lib/sms.py): the console and memory backends, a disabled
default for production, and Twilio's Messages API spoken to a real HTTP server on loopback."""

from __future__ import annotations

import base64
import io
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rebond.lib import sms
from rebond.tests.test_env import deploy_check

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "test-auth-token-not-a-secret"
FROM = "+447700900999"
TO = "+44 7700 900123"
BODY = "Reminder. Your appointment on Tuesday 2 March 2027 at 10:00."


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    """A loopback HTTP server that records each request and answers with `status`."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    status: int = 201
    answer: bytes = b'{"sid": "SM0123", "status": "queued"}'
    delay: float = 0.0


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            fake.requests.append(
                Recorded(
                    method="POST",
                    path=self.path,
                    headers=dict(self.headers.items()),
                    form=urllib.parse.parse_qs(body),
                )
            )
            time.sleep(fake.delay)
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fake.answer)))
            self.end_headers()
            self.wfile.write(fake.answer)

        def log_message(self, *args: Any) -> None:
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def backend(twilio: FakeTwilio, **overrides: Any) -> sms.TwilioBackend:
    values: dict[str, Any] = {
        "account_sid": SID,
        "auth_token": TOKEN,
        "from_number": FROM,
        "base_url": twilio.url,
        "timeout": 2,
    }
    values.update(overrides)
    return sms.TwilioBackend(**values)


def test_twilio_gets_the_documented_request(twilio: FakeTwilio) -> None:
    backend(twilio).send(TO, BODY)
    [request] = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    scheme, credentials = request.headers["Authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{SID}:{TOKEN}"
    # E.164: the spaces people type between digits are removed.
    assert request.form == {"To": ["+447700900123"], "From": [FROM], "Body": [BODY]}


def test_twilio_reads_its_settings(twilio: FakeTwilio, settings: Any) -> None:
    settings.SMS_BACKEND = "rebond.lib.sms.TwilioBackend"
    settings.SMS_TWILIO_ACCOUNT_SID = SID
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN
    settings.SMS_TWILIO_FROM = FROM
    settings.SMS_TWILIO_BASE_URL = twilio.url + "/"
    sms.send_sms(TO, BODY)
    assert [r.path for r in twilio.requests] == [f"/2010-04-01/Accounts/{SID}/Messages.json"]


@pytest.mark.parametrize("status", [200, 201, 202])
def test_any_2xx_is_accepted(twilio: FakeTwilio, status: int) -> None:
    twilio.status = status
    backend(twilio).send(TO, BODY)
    assert len(twilio.requests) == 1


@pytest.mark.parametrize("status", [301, 400, 401, 429, 500, 503])
def test_any_other_status_raises_an_error_with_the_status_only(
    twilio: FakeTwilio, status: int
) -> None:
    # Twilio's error answers may quote the number and the text: none of it may leak.
    twilio.status = status
    twilio.answer = f'{{"message": "The To number {TO} is not valid: {BODY}"}}'.encode()
    with pytest.raises(sms.SmsError) as raised:
        backend(twilio).send(TO, BODY)
    assert raised.value.status == status
    assert str(raised.value) == f"SMS provider answered HTTP {status}"
    assert_no_person_in(raised.value)


def test_a_provider_that_does_not_answer_in_time_raises(twilio: FakeTwilio) -> None:
    twilio.delay = 2.0
    started = time.monotonic()
    with pytest.raises(sms.SmsError) as raised:
        backend(twilio, timeout=0.5).send(TO, BODY)
    assert time.monotonic() - started < 1.9
    assert raised.value.status is None
    assert str(raised.value) == "SMS provider could not be reached"
    assert_no_person_in(raised.value)


def test_an_unreachable_provider_raises(twilio: FakeTwilio) -> None:
    with pytest.raises(sms.SmsError) as raised:
        backend(twilio, base_url="http://127.0.0.1:9").send(TO, BODY)
    assert raised.value.status is None
    assert_no_person_in(raised.value)


def test_only_http_addresses_are_opened(tmp_path: Path) -> None:
    with pytest.raises(sms.SmsError):
        sms.TwilioBackend(
            account_sid=SID, auth_token=TOKEN, from_number=FROM, base_url=f"file://{tmp_path}"
        ).send(TO, BODY)


def test_twilio_without_its_settings_is_not_configured(settings: Any) -> None:
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    with pytest.raises(sms.SmsNotConfigured):
        sms.TwilioBackend(auth_token=TOKEN, from_number=FROM).send(TO, BODY)


def assert_no_person_in(error: BaseException) -> None:
    """The error, its arguments and anything chained to it hold no number and no text."""
    digits = TO.replace(" ", "")
    seen: BaseException | None = error
    while seen is not None:
        for text in (str(seen), repr(seen), *map(str, seen.args)):
            assert digits not in text.replace(" ", "")
            assert BODY not in text
            assert TOKEN not in text
        seen = seen.__cause__ or seen.__context__ if not seen.__suppress_context__ else None


def test_the_console_backend_prints_the_message() -> None:
    stream = io.StringIO()
    sms.ConsoleBackend(stream).send(TO, BODY)
    assert stream.getvalue().startswith(f"Text message to: {TO}\n{BODY}\n")


def test_the_memory_backend_keeps_messages_in_the_outbox(settings: Any) -> None:
    settings.SMS_BACKEND = "rebond.lib.sms.MemoryBackend"
    sms.outbox.clear()
    sms.send_sms(TO, BODY)
    assert sms.outbox == [sms.SmsMessage(TO, BODY)]
    sms.outbox.clear()


def test_the_disabled_backend_refuses_every_message(settings: Any) -> None:
    settings.SMS_BACKEND = "rebond.lib.sms.DisabledBackend"
    with pytest.raises(sms.SmsNotConfigured) as raised:
        sms.send_sms(TO, BODY)
    assert str(raised.value) == "Text messages are not set up on this server"


def test_the_deploy_check_wants_twilios_settings(tmp_path: Path) -> None:
    twilio = {"SMS_BACKEND": "rebond.lib.sms.TwilioBackend"}
    missing = deploy_check(tmp_path, **twilio, SMS_TWILIO_ACCOUNT_SID=SID)
    assert missing.returncode != 0
    assert "rebond.E012" in missing.stderr
    assert "SMS_TWILIO_AUTH_TOKEN" in missing.stderr
    assert "SMS_TWILIO_FROM" in missing.stderr
    assert "SMS_TWILIO_ACCOUNT_SID" not in missing.stderr
    complete = deploy_check(
        tmp_path,
        **twilio,
        SMS_TWILIO_ACCOUNT_SID=SID,
        SMS_TWILIO_AUTH_TOKEN=TOKEN,
        SMS_TWILIO_FROM=FROM,
    )
    assert complete.returncode == 0, complete.stderr


def test_the_deploy_check_refuses_backends_that_send_nothing_in_production(
    tmp_path: Path,
) -> None:
    console = deploy_check(tmp_path, SMS_BACKEND="rebond.lib.sms.ConsoleBackend")
    assert "rebond.W003" in console.stderr
    unknown = deploy_check(tmp_path, SMS_BACKEND="rebond.lib.sms.NoSuchBackend")
    assert "rebond.E011" in unknown.stderr
    # The production default sends nothing and says so to the clinician: no warning.
    assert deploy_check(tmp_path).returncode == 0
