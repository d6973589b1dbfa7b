"""Password policy per ASVS 5.0 6.2 (SECURITY.md AU-04), table-driven against the real
AUTH_PASSWORD_VALIDATORS: at least 12 characters, long passphrases welcome, common
passwords refused, no composition rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from rebond.accounts.models import User

pytestmark = pytest.mark.django_db

# (password, accepted, words the refusal must contain)
CASES = [
    ("plumtreesky", False, "at least 12 characters"),  # 11 characters (6.2.1)
    ("plumtreeskyz", True, ""),  # exactly 12
    ("Password1!", False, "too common"),  # in the common-password list (6.2.4)
    ("qwerty123456", False, "too common"),  # 12 characters, but common
    ("tide lantern mossy orchard", True, ""),  # lowercase words: no composition rules (6.2.5)
    ("ONLYCAPITALLETTERSHERE", True, ""),  # no digit or symbol needed (6.2.5)
    ("été à la montagne bleue", True, ""),  # any Unicode
    ("a quiet harbour at dawn " * 2 + "and sixty-four", True, ""),  # 62+ characters
    ("x7" * 32, True, ""),  # 64 characters (6.2.9)
    ("long passphrase " * 8, True, ""),  # 128 characters
    ("a very long passphrase indeed " * 34, True, ""),  # 1020 characters: no low maximum
]


@pytest.mark.parametrize(("password", "accepted", "reason"), CASES)
def test_the_password_policy(alice: User, password: str, accepted: bool, reason: str) -> None:
    if accepted:
        validate_password(password, user=alice)
    else:
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user=alice)
        assert any(reason in message for message in refused.value.messages), refused.value


def test_a_long_passphrase_is_stored_and_checked_whole(alice: User) -> None:
    passphrase = "a very long passphrase indeed " * 34
    alice.set_password(passphrase)
    alice.save()
    alice.refresh_from_db()
    assert alice.check_password(passphrase)
    assert not alice.check_password(passphrase[:-1])
