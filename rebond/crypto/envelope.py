"""The ciphertext envelope: AES-256-GCM with associated data, in a versioned text blob.

    v1:<key id>:<nonce>:<ciphertext and tag>       (nonce and ciphertext in base64url)

`v1` names the algorithm (AES-256-GCM, 96-bit random nonce, 128-bit tag; SECURITY.md CR-05).
The key id says which keyring key sealed it, so rotation can find old blobs and a removed key
is reported by name. The associated data is not stored: the reader rebuilds it from where
the blob is found (model, field, row, respondent), so a blob copied anywhere else fails its
tag check (CR-04). Every failure raises DecryptionError; nothing here returns ciphertext or a
default (CR-03).
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from rebond.crypto.keys import Keyring

VERSION = "v1"
NONCE_BYTES = 12  # 96 bits, the GCM standard size (NIST SP 800-38D 8.2.2)
PREFIX = VERSION + ":"


class DecryptionError(Exception):
    """A blob could not be opened: wrong or missing key, tampering, or a moved blob.

    The message names the key id and the cause only, never the blob or its contents.
    """


def keyring() -> Keyring:
    ring: Keyring = settings.REBOND_KEYRING
    return ring


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(plaintext: bytes, aad: bytes, *, ring: Keyring | None = None) -> str:
    """Encrypt `plaintext` under the current data key, bound to `aad`; return the blob."""
    key_id, key = (ring or keyring()).current("data")
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, aad)
    return f"{VERSION}:{key_id}:{_b64(nonce)}:{_b64(sealed)}"


def key_id_of(blob: str) -> str:
    """Return the id of the key that sealed `blob`; raise DecryptionError if it is no blob."""
    parts = blob.split(":")
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError("the stored value is not a v1 ciphertext")
    return parts[1]


def is_blob(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX) and value.count(":") == 3


def open_blob(blob: str, aad: bytes, *, ring: Keyring | None = None) -> bytes:
    """Return the plaintext sealed in `blob` for `aad`; raise DecryptionError otherwise."""
    key_id = key_id_of(blob)
    key = (ring or keyring()).get("data", key_id)
    if key is None:
        raise DecryptionError(f"key {key_id!r} is not in the keyring")
    _, _, nonce_text, sealed_text = blob.split(":")
    try:
        nonce, sealed = _unb64(nonce_text), _unb64(sealed_text)
    except (binascii.Error, ValueError):
        raise DecryptionError(f"malformed ciphertext (key {key_id!r})") from None
    if len(nonce) != NONCE_BYTES:
        raise DecryptionError(f"malformed nonce (key {key_id!r})")
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise DecryptionError(
            f"authentication failed (key {key_id!r}): tampered, moved or wrong key"
        ) from None
