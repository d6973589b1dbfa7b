from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def _backup_registry_per_test(settings: Settings, tmp_path: Path) -> None:
    """Each test records its backups in its own registry, not in the checkout's var/."""
    settings.VAR_DIR = tmp_path / "var"
