"""The timers' commands log one line per run, even when there was nothing to do (issue 24,
item 9): an operator reading `journalctl -u rebond-safety-sweep` can tell that it ran."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("safety_sweep", "escalated 0, notifications sent 0\n"),
        ("checkin_reminders", "reminders queued 0\n"),
    ],
)
def test_a_sweep_on_a_healthy_idle_system_logs_one_line(command: str, line: str) -> None:
    out = StringIO()
    call_command(command, stdout=out)
    assert out.getvalue() == line
