"""Record real WebAuthn data from Chromium's virtual authenticator for the passkey unit tests.

    .venv/bin/python -m rebond.accounts.tests.record_passkeys

writes rebond/accounts/tests/data/passkeys.json: one registration and three assertions made by
a CTAP2 platform authenticator (resident keys, user verification) that Chromium emulates
through the DevTools protocol, for an RP id "localhost" served over plain HTTP on two ports:
two assertions at the expected origin (the signature counter goes up), one at the other port
(a wrong origin). The page converts options and credentials with the same static
accounts/passkeys.js the clinicians' browsers run, so the recording is what the server gets.

The challenges are chosen here and saved with the data; test_passkeys.py makes the server
issue exactly them, then checks the recorded answers through rebond/accounts/passkeys.py.
"""

from __future__ import annotations

import base64
import http.server
import json
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from webauthn import generate_authentication_options, generate_registration_options, options_to_json
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from rebond.tests.browser import launch_chromium

OUTPUT = Path(__file__).resolve().parent / "data" / "passkeys.json"
SCRIPT = Path(__file__).resolve().parents[1] / "static" / "accounts" / "passkeys.js"
RP_ID = "localhost"
EMAIL = "recorded.clinician@example.test"
VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@contextmanager
def blank_site() -> Iterator[str]:
    """Serve an empty page on a free loopback port; yield its origin (http://localhost:PORT)."""

    class Blank(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>blank</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def record() -> dict[str, Any]:
    user_id = uuid.uuid4()
    with (
        blank_site() as origin,
        blank_site() as other_origin,
        contextmanager(launch_chromium)() as browser,
    ):
        return _record_in(browser, origin, other_origin, user_id)


def _record_in(browser: Any, origin: str, other_origin: str, user_id: uuid.UUID) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    page.goto(origin)
    page.add_script_tag(path=str(SCRIPT))

    challenge = secrets.token_bytes(32)
    creation = generate_registration_options(
        rp_id=RP_ID,
        rp_name="Rebond",
        user_id=user_id.bytes,
        user_name=EMAIL,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    registration = page.evaluate(
        "(o) => window.rebondPasskeys.create(o)", json.loads(options_to_json(creation))
    )
    recorded: dict[str, Any] = {
        "rp_id": RP_ID,
        "origin": origin,
        "user_id": str(user_id),
        "email": EMAIL,
        "registration": {"challenge": b64url(challenge), "credential": registration},
        "assertions": [],
    }
    descriptor = PublicKeyCredentialDescriptor(id=base64url_to_bytes(registration["rawId"]))

    def assert_at(where: str) -> dict[str, Any]:
        page.goto(where)
        page.add_script_tag(path=str(SCRIPT))
        challenge = secrets.token_bytes(32)
        request = generate_authentication_options(
            rp_id=RP_ID,
            challenge=challenge,
            allow_credentials=[descriptor],
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        credential = page.evaluate(
            "(o) => window.rebondPasskeys.get(o)", json.loads(options_to_json(request))
        )
        return {"origin": where, "challenge": b64url(challenge), "credential": credential}

    recorded["assertions"] = [assert_at(origin), assert_at(origin), assert_at(other_origin)]
    context.close()
    return recorded


def main() -> None:
    recorded = record()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {OUTPUT}")


if __name__ == "__main__":
    main()
