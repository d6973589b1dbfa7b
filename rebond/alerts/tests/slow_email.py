"""A slow file e-mail backend, so a test can kill a delivery worker in the middle of sending.

Chosen with EMAIL_BACKEND=rebond.alerts.tests.slow_email.Backend and the EMAIL_FILE_PATH
environment variable. Before and after handing each message over (writing its file) it
records a marker line in SLOW_EMAIL_MARKERS ("begin <Message-ID>", "written <Message-ID>")
and sleeps SLOW_EMAIL_PAUSE seconds: a kill during the first pause lands after the claim and
before the send, a kill during the second after the send and before the row is marked sent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.filebased import EmailBackend


def mark(event: str) -> None:
    """Append one marker line (readable by the test as soon as it is written)."""
    path = os.environ.get("SLOW_EMAIL_MARKERS")
    if path:
        with open(path, "a", encoding="utf-8") as markers:
            markers.write(event + "\n")


class Backend(EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Settings do not read EMAIL_FILE_PATH (production never writes mail to files).
        kwargs.setdefault("file_path", os.environ["EMAIL_FILE_PATH"])
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        pause = float(os.environ.get("SLOW_EMAIL_PAUSE", "0.2"))
        ids = " ".join(str(m.extra_headers.get("Message-ID", "")) for m in email_messages)
        mark(f"begin {ids}")
        time.sleep(pause)
        count = super().send_messages(email_messages)
        mark(f"written {ids}")
        time.sleep(pause)
        return int(count)
