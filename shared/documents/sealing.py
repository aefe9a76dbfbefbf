"""Sealing a document's bytes: chunked AES-256-GCM under a data key of its own.

Layout of a sealed document: `MAGIC` (format and version), an 8-byte random nonce prefix, then
frames of `CHUNK_SIZE` plaintext bytes each sealed into `CHUNK_SIZE + TAG_SIZE` bytes; the last
frame is shorter (possibly only a tag, for empty content). Each frame's nonce is the prefix and a
4-byte big-endian frame counter, so no nonce repeats within a document (and the data key is never
used for another document). Each frame's associated data binds the object key, the frame index and
a last-frame flag: frames cannot be reordered, moved between documents, or cut off at a frame
boundary without failing authentication (the STREAM construction of Hoang, Reyhanitabar, Rogaway
and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015).

Unsealing streams: plaintext frames are yielded as they verify, so a download can start before the
whole document is read; a damaged or truncated tail raises `DamagedDocumentError` at that point.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import AsyncIterable, AsyncIterator
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC: Final = b"RDOC\x01"
# 64 KiB of plaintext per frame: small enough to stream with little memory, large enough that the
# 16-byte tag per frame costs under 0.03 %.
CHUNK_SIZE: Final = 64 * 1024
# AES-GCM's full 128-bit tag (NIST SP 800-38D §5.2.1.2).
TAG_SIZE: Final = 16
NONCE_PREFIX_SIZE: Final = 8
DATA_KEY_SIZE: Final = 32  # AES-256
HEADER_SIZE: Final = len(MAGIC) + NONCE_PREFIX_SIZE
FRAME_SIZE: Final = CHUNK_SIZE + TAG_SIZE
# The counter is 4 bytes: at most 2**32 frames (256 TiB), far above any per-file limit.
_MAX_FRAMES: Final = 2**32


class DamagedDocumentError(Exception):
    """The stored bytes do not unseal: changed, reordered, truncated, another document's, or the
    wrong key. Says nothing about the content."""


def new_data_key() -> bytes:
    """A fresh random 256-bit data key, for one document only."""
    return AESGCM.generate_key(bit_length=DATA_KEY_SIZE * 8)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _associated_data(object_key: str, index: int, last: bool) -> bytes:
    return MAGIC + object_key.encode() + struct.pack(">I?", index, last)


def seal(content: bytes, data_key: bytes, object_key: str) -> bytes:
    """`content` sealed for storage under `object_key` (the blob's key, bound into every frame)."""
    aead = AESGCM(data_key)
    prefix = secrets.token_bytes(NONCE_PREFIX_SIZE)
    parts = [MAGIC, prefix]
    # Empty content is still one (last) frame, so an empty document is authenticated too.
    starts = range(0, max(len(content), 1), CHUNK_SIZE)
    if len(starts) > _MAX_FRAMES:
        raise ValueError("content too large to seal")
    for index, start in enumerate(starts):
        last = index == len(starts) - 1
        chunk = content[start : start + CHUNK_SIZE]
        aad = _associated_data(object_key, index, last)
        parts.append(aead.encrypt(_nonce(prefix, index), chunk, aad))
    return b"".join(parts)


class _Opener:
    def __init__(self, data_key: bytes, object_key: str, prefix: bytes) -> None:
        self._aead = AESGCM(data_key)
        self._object_key = object_key
        self._prefix = prefix
        self.index = 0

    def open(self, frame: bytes, *, last: bool) -> bytes:
        if len(frame) < TAG_SIZE or self.index >= _MAX_FRAMES:
            raise DamagedDocumentError("the document is damaged")
        aad = _associated_data(self._object_key, self.index, last)
        try:
            plaintext = self._aead.decrypt(_nonce(self._prefix, self.index), frame, aad)
        except InvalidTag as error:
            raise DamagedDocumentError("the document is damaged") from error
        self.index += 1
        return plaintext


async def unseal(
    stored_chunks: AsyncIterable[bytes], data_key: bytes, object_key: str
) -> AsyncIterator[bytes]:
    """The plaintext of a sealed document, frame by frame, from its stored bytes in chunks of any
    size. Raises `DamagedDocumentError` where the stored bytes stop being authentic."""
    if len(data_key) != DATA_KEY_SIZE:
        raise DamagedDocumentError("the data key has the wrong length")
    buffer = bytearray()
    opener: _Opener | None = None
    async for chunk in stored_chunks:
        buffer += chunk
        if opener is None:
            if len(buffer) < HEADER_SIZE:
                continue
            if bytes(buffer[: len(MAGIC)]) != MAGIC:
                raise DamagedDocumentError("not a sealed document, or an unknown version")
            opener = _Opener(data_key, object_key, bytes(buffer[len(MAGIC) : HEADER_SIZE]))
            del buffer[:HEADER_SIZE]
        # A frame is known not to be the last only once more bytes follow it.
        while len(buffer) > FRAME_SIZE:
            frame = bytes(buffer[:FRAME_SIZE])
            del buffer[:FRAME_SIZE]
            yield opener.open(frame, last=False)
    if opener is None:
        raise DamagedDocumentError("the document is truncated")
    yield opener.open(bytes(buffer), last=True)
