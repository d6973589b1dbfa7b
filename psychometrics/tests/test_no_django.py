"""The scoring core never imports Django or the web app (STYLE.md 7.8, item 1)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import psychometrics, psychometrics.cli, psychometrics.docs, psychometrics.wording
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rebond'))
print(','.join(bad))
"""


def test_importing_psychometrics_loads_no_django_or_rebond_module():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
