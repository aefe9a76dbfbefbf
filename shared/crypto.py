"""Encryption at rest for personal data (contact details, message bodies), keyed from configuration.

`REDRESS_ENCRYPTION_KEYS` holds one or more Fernet keys separated by commas, newest first: new data
is encrypted with the first, and any listed key decrypts, so keys can be rotated without downtime.
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


class DecryptionError(ValueError):
    pass


class Cipher:
    def __init__(self, keys: str) -> None:
        parsed = [key.strip() for key in keys.split(",") if key.strip()]
        if not parsed:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in parsed])
        # A keyed digest for lookups (duplicates, suppression) without storing the value.
        self._digest_key = hashlib.sha256(b"redress-lookup:" + parsed[0].encode()).digest()

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as error:
            raise DecryptionError("cannot decrypt: wrong key or damaged data") from error

    def encrypt_json(self, value: Any) -> bytes:
        return self.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def decrypt_json(self, token: bytes) -> Any:
        return json.loads(self.decrypt(token))

    def lookup_digest(self, value: str) -> str:
        """A stable, keyed fingerprint of a normalised value (e.g. an email address)."""
        return hmac.new(
            self._digest_key, value.strip().casefold().encode(), hashlib.sha256
        ).hexdigest()
