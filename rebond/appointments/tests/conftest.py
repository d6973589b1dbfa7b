"""Every test of appointments starts with an empty text-message outbox (like mail.outbox)."""

from __future__ import annotations

import pytest

from rebond.lib import sms


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> None:
    sms.outbox.clear()
