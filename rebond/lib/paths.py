"""Where Rebond keeps its files, read from the environment without loading Django.

Both the settings and the `rebond instruments …` commands (which run without Django, see
rebond/cli.py) take the wording directory from here, so `rebond instruments load-wording`
stores a clinic's licensed wording exactly where the web app reads it, whatever directory
either was started from.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def var_dir() -> Path:
    """Return the data directory: $REBOND_VAR_DIR, or var/ beside the code."""
    return Path(os.environ.get("REBOND_VAR_DIR") or BASE_DIR / "var")


def wording_dir() -> Path:
    """Return the directory of clinic-loaded instrument wording (docs/deploy.md).

    $REBOND_WORDING_DIR when set (it must be absolute: a relative path would depend on the
    directory each process happens to start in), otherwise var/wording.
    """
    configured = os.environ.get("REBOND_WORDING_DIR", "")
    if not configured:
        return var_dir() / "wording"
    path = Path(configured)
    if not path.is_absolute():
        raise ValueError(
            f"REBOND_WORDING_DIR={configured!r} must be an absolute path, "
            "e.g. /var/lib/rebond/wording"
        )
    return path
