from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from rebond.crypto.fields import EncryptedMixin


@pytest.fixture(autouse=True)
def _backup_registry_per_test(settings: Settings, tmp_path: Path) -> None:
    """Each test records its backups in its own registry, not in the checkout's var/."""
    settings.VAR_DIR = tmp_path / "var"


@contextmanager
def sealed_as_before_subject_keys() -> Iterator[None]:
    """Write values as Rebond did before subject keys (issue 23): v1, under the data key.

    Stands in for data written by an older release, which rotation and key retirement must
    still handle; reading such values needs no patch (v1 blobs always open).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EncryptedMixin, "subject", lambda self, identity: None)
        yield
