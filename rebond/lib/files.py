"""Files only their owner can read: var/ (0700), the SQLite database and development secrets
(0600), whatever the umask (issue 15 D19; production units also set UMask=0077).

Modes are given when a file or directory is created, never fixed up afterwards, so there is
no moment at which another local user could open it. Existing paths are left as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def private_directory(path: Path) -> Path:
    """Create `path` (0700) and any missing parents if it does not exist; return it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    return path


def create_private_file(path: Path, text: str = "") -> bool:
    """Create `path` (0600) holding `text`, unless it exists; return whether it was created."""
    private_directory(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True
