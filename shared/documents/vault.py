"""Keeping documents encrypted at rest: envelope encryption over a `BlobStore`.

Each document gets a random data key (sealing.py); the data key is wrapped by the service's
`Cipher` (REDRESS_ENCRYPTION_KEYS) and the wrapped key goes into the service's own database row,
never beside the blob. After a key rotation `rewrap` re-encrypts the small wrapped key under the
newest key; the blob is never rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from shared.crypto import Cipher, DecryptionError
from shared.documents.blobs import BlobStore, check_key, new_object_key
from shared.documents.sealing import DamagedDocumentError, new_data_key, seal, unseal


@dataclass(frozen=True)
class Kept:
    """What a service stores in its row for one document (all of it, with the blob, to read it)."""

    object_key: str
    wrapped_key: bytes
    size: int  # plaintext bytes
    sha256: str  # hex digest of the plaintext, to recognise the same file sent twice


class DocumentVault:
    def __init__(self, blobs: BlobStore, cipher: Cipher) -> None:
        self._blobs = blobs
        self._cipher = cipher

    async def keep(self, content: bytes) -> Kept:
        """Seals and stores `content`; the caller records the `Kept` in its row, and removes the
        blob if that row is never written (an unreferenced blob is unreadable, not a leak of
        content, but it takes room)."""
        object_key = new_object_key()
        data_key = new_data_key()
        await self._blobs.put(object_key, seal(content, data_key, object_key))
        return Kept(
            object_key=object_key,
            wrapped_key=self._cipher.wrap(data_key),
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )

    def _data_key(self, wrapped_key: bytes) -> bytes:
        try:
            return self._cipher.unwrap(wrapped_key)
        except DecryptionError as error:
            raise DamagedDocumentError("the document's key cannot be unwrapped") from error

    async def open(self, object_key: str, wrapped_key: bytes) -> AsyncIterator[bytes]:
        """The plaintext, streamed. `MissingBlobError` if the blob is gone,
        `DamagedDocumentError` where it stops being authentic."""
        stored = self._blobs.get(check_key(object_key))
        async for chunk in unseal(stored, self._data_key(wrapped_key), object_key):
            yield chunk

    async def read(self, object_key: str, wrapped_key: bytes) -> bytes:
        """The whole plaintext, authenticated to the end before it is returned."""
        return b"".join([chunk async for chunk in self.open(object_key, wrapped_key)])

    def rewrap(self, wrapped_key: bytes) -> bytes:
        """The wrapped key under the newest encryption key; the blob stays as it is."""
        try:
            return self._cipher.rotate(wrapped_key)
        except DecryptionError as error:
            raise DamagedDocumentError("the document's key cannot be unwrapped") from error

    async def remove(self, object_key: str) -> None:
        await self._blobs.delete(check_key(object_key))

    async def exists(self, object_key: str) -> bool:
        return await self._blobs.exists(check_key(object_key))
