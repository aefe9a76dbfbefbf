"""Encryption at rest for personal data (contact details, message bodies), keyed from configuration.

`REDRESS_ENCRYPTION_KEYS` holds one or more Fernet keys separated by commas, newest first: new data
is encrypted with the first, and any listed key decrypts, so keys can be rotated without downtime
(then `python -m shared.reencrypt` rewrites old rows under the newest key, MultiFernet.rotate).

Look-up digests (suppression list, duplicate detection, inbound-mail de-duplication) have their own
key, `REDRESS_LOOKUP_KEY`: deriving it from the newest encryption key made every digest stop
matching the day a key was prepended (issue 13 item 8). The look-up key rotates too:
`REDRESS_PREVIOUS_LOOKUP_KEYS` (comma separated) lists the keys it replaced, so during the
transition a look-up matches a digest under any of them while new rows use `REDRESS_LOOKUP_KEY`;
`python -m shared.reindex` then recomputes every digest under the new key, and the previous keys
can be dropped (docs/runbook.md "Key rotation").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Development-only key so `make run` works out of the box; the app factory refuses it in production.
DEVELOPMENT_ENCRYPTION_KEY = (
    "cmVkcmVzcy1kZXYta2V5LW5vdC1mb3ItcHJvZC0zMmI="  # base64 of 'redress-dev-key-not-for-prod-32b'
)

# The look-up key used when REDRESS_LOOKUP_KEY is unset in development. It is the development
# encryption key, so digests written before the key had its own setting still match.
DEVELOPMENT_LOOKUP_KEY = DEVELOPMENT_ENCRYPTION_KEY


def parse_keys(keys: str) -> list[str]:
    """The comma-separated keys of REDRESS_ENCRYPTION_KEYS, newest first."""
    return [key.strip() for key in keys.split(",") if key.strip()]


class DecryptionError(ValueError):
    pass


class Cipher:
    def __init__(
        self, keys: str, lookup_key: str = DEVELOPMENT_LOOKUP_KEY, previous_lookup_keys: str = ""
    ) -> None:
        parsed = parse_keys(keys)
        if not parsed:
            raise ValueError("at least one encryption key is needed")
        if not lookup_key.strip():
            raise ValueError("a look-up key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in parsed])
        # A keyed digest for lookups (duplicates, suppression) without storing the value; its key
        # is independent of the encryption keys, so rotating those leaves every digest valid.
        # Newest first: new digests use the first, look-ups match under any of them.
        self._digest_keys = [
            _digest_key(key) for key in [lookup_key.strip(), *parse_keys(previous_lookup_keys)]
        ]

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as error:
            raise DecryptionError("cannot decrypt: wrong key or damaged data") from error

    def rotate(self, token: bytes) -> bytes:
        """The token re-encrypted under the newest key (MultiFernet.rotate)."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as error:
            raise DecryptionError("cannot decrypt: wrong key or damaged data") from error

    def wrap(self, secret: bytes) -> bytes:
        """Raw bytes (a document's data key) encrypted under the newest key: envelope encryption,
        where the wrapped key lives in the database row and only `rotate` is needed after a key
        rotation, never a rewrite of the document itself (shared/documents/vault.py)."""
        return self._fernet.encrypt(secret)

    def unwrap(self, token: bytes) -> bytes:
        """The bytes `wrap` encrypted, under any listed key."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as error:
            raise DecryptionError("cannot decrypt: wrong key or damaged data") from error

    def encrypt_json(self, value: Any) -> bytes:
        return self.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def decrypt_json(self, token: bytes) -> Any:
        return json.loads(self.decrypt(token))

    def lookup_digest(self, value: str) -> str:
        """A stable, keyed fingerprint of a normalised value (e.g. an email address), under the
        newest look-up key: what new rows store."""
        return _hmac(self._digest_keys[0], value)

    def lookup_digests(self, value: str) -> list[str]:
        """The value's digest under every listed look-up key, newest first: what a look-up
        matches, so rows written before a look-up key rotation still match until re-indexed."""
        return [_hmac(key, value) for key in self._digest_keys]


def _digest_key(lookup_key: str) -> bytes:
    return hashlib.sha256(b"redress-lookup:" + lookup_key.encode()).digest()


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.strip().casefold().encode(), hashlib.sha256).hexdigest()
