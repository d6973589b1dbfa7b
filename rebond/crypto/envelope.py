"""The ciphertext envelope: AES-256-GCM with associated data, in a versioned text blob.

    v1:<data key id>:<nonce>:<ciphertext and tag>     (nonce and ciphertext in base64url)
    v2:<subject key id>:<nonce>:<ciphertext and tag>

Both name the same algorithm (AES-256-GCM, 96-bit random nonce, 128-bit tag; SECURITY.md
CR-05) and the same associated data. They differ in the key:
- v1: a keyring `data` key. Values that belong to nobody in particular (respondent=None) use
  it; so did every value before subject keys (issue 23), and `rebond keys rotate` re-seals
  those as v2.
- v2: the key of the value's *subject* (whose data it is), held in the subject key store
  (rebond/crypto/subject_keys.py) and wrapped there under a data key. Destroying that one key
  ("shredding") makes every copy of the subject's values unreadable, backups included. The
  subject is not stored in the blob either: the reader rebuilds it from the row, like the AAD.
The key id says which key sealed it, so rotation can find old blobs and a removed key
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
from rebond.crypto.subject_keys import SubjectErasedError, SubjectKeyError, store

VERSION = "v1"  # sealed under a keyring data key
SUBJECT_VERSION = "v2"  # sealed under the subject's key
VERSIONS = (VERSION, SUBJECT_VERSION)
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


def seal(
    plaintext: bytes, aad: bytes, *, ring: Keyring | None = None, subject: str | None = None
) -> str:
    """Encrypt `plaintext` bound to `aad`; return the blob.

    With a `subject`, under that subject's key (v2, created on first use); without, under
    the keyring's current data key (v1). A shredded subject gets a fresh key (a new key id).
    """
    ring = ring or keyring()
    if subject is None:
        version, (key_id, key) = VERSION, ring.current("data")
    else:
        try:
            found = store().key_for(subject, ring, create=True)
        except SubjectKeyError as exc:
            raise DecryptionError(f"cannot seal for this subject: {exc}") from None
        version, key_id, key = SUBJECT_VERSION, found.key_id, found.key
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, aad)
    return f"{version}:{key_id}:{_b64(nonce)}:{_b64(sealed)}"


def version_of(blob: str) -> str:
    """Return "v1" or "v2"; raise DecryptionError if `blob` is no blob."""
    parts = blob.split(":")
    if len(parts) != 4 or parts[0] not in VERSIONS:
        raise DecryptionError("the stored value is not a v1 or v2 ciphertext")
    return parts[0]


def key_id_of(blob: str) -> str:
    """Return the id of the key that sealed `blob`; raise DecryptionError if it is no blob.

    For v1 a keyring data key id; for v2 a subject key id (see version_of).
    """
    version_of(blob)
    return blob.split(":")[1]


def is_blob(value: object) -> bool:
    return isinstance(value, str) and value[:3] in ("v1:", "v2:") and value.count(":") == 3


def open_blob(
    blob: str, aad: bytes, *, ring: Keyring | None = None, subject: str | None = None
) -> bytes:
    """Return the plaintext sealed in `blob` for `aad`; raise DecryptionError otherwise.

    A v2 blob needs the `subject` it belongs to (rebuilt from the row by the caller).
    """
    version, key_id = version_of(blob), key_id_of(blob)
    ring = ring or keyring()
    if version == VERSION:
        key = ring.get("data", key_id)
        if key is None:
            raise DecryptionError(f"key {key_id!r} is not in the keyring")
    else:
        if subject is None:
            raise DecryptionError(f"subject key {key_id!r}: the value has no subject")
        try:
            found = store().key_for(subject, ring, create=False)
        except SubjectErasedError:
            raise DecryptionError(
                f"subject key {key_id!r} was destroyed: the subject's data was erased"
            ) from None
        except SubjectKeyError as exc:
            named = str(exc) if key_id in str(exc) else f"subject key {key_id!r}: {exc}"
            raise DecryptionError(named) from None
        if found.key_id != key_id:
            if store().is_shredded(subject):
                raise DecryptionError(
                    f"subject key {key_id!r} was destroyed: the subject's data was erased"
                )
            raise DecryptionError(
                f"subject key {key_id!r} is not this subject's key: moved or tampered"
            )
        key = found.key
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
