"""Logs without private-link, invitation, password-reset or calendar-feed tokens (SECURITY.md 3).

A private link's token is its path (/p/<token>/) and opens a partner's space until it
expires, and an invitation link's (/enrol/<token>/) lets its holder choose a clinician's
password, so neither may reach a log: `RedactLinks` replaces it with "-" in every log record
(settings.LOGGING), and `rebond.lib.gunicorn_logging.GunicornLogger` does the same in
gunicorn's access and error logs (--logger-class). Query strings are left out by the
access-log format docs/deploy.md gives.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# "/p/<token>" (a private link), "/enrol/<token>" (an invitation link, rebond/staff),
# "/accounts/reset/<user>/<token>" (a clinician's password reset link,
# rebond/accounts/passwords.py) or "/calendar/feed/<token>.ics" (a clinician's calendar feed,
# rebond/appointments/feeds.py), at the start of a path, after the method, or after a
# referrer's host. The token is replaced.
PRIVATE_LINK = re.compile(
    r"(^|\s|://[^/\s]+)(/p|/enrol|/calendar/feed|/accounts/reset/[^/?#\s]+)/[^/?#\s]+"
)


def redact(value: Any) -> Any:
    return PRIVATE_LINK.sub(r"\1\2/-", value) if isinstance(value, str) else value


class RedactLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        return True
