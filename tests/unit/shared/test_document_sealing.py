"""Sealing documents: chunked AES-256-GCM whose frames cannot be changed, reordered, swapped
between documents or cut off; and the envelope (wrapped data key) surviving a key rotation."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from shared.crypto import Cipher
from shared.documents.blobs import FilesystemBlobStore, InvalidObjectKeyError, new_object_key
from shared.documents.sealing import (
    CHUNK_SIZE,
    FRAME_SIZE,
    HEADER_SIZE,
    MAGIC,
    DamagedDocumentError,
    new_data_key,
    seal,
    unseal,
)
from shared.documents.vault import DocumentVault

OBJECT_KEY = new_object_key()


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _unseal(
    sealed: bytes, key: bytes, object_key: str = OBJECT_KEY, size: int = 7000
) -> bytes:
    return b"".join([part async for part in unseal(_chunks(sealed, size), key, object_key)])


@pytest.mark.parametrize(
    "length",
    [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5],
)
async def test_roundtrip_of_every_length_around_the_frame_boundaries(length: int) -> None:
    content = os.urandom(length)
    key = new_data_key()
    sealed = seal(content, key, OBJECT_KEY)
    assert sealed.startswith(MAGIC)
    assert await _unseal(sealed, key) == content
    # Stored chunks of any size, even whole, unseal the same.
    assert await _unseal(sealed, key, size=len(sealed)) == content


async def test_sealed_bytes_do_not_contain_the_plaintext_and_differ_each_time() -> None:
    content = b"my medical record " * 1000
    key = new_data_key()
    first, second = seal(content, key, OBJECT_KEY), seal(content, key, OBJECT_KEY)
    assert b"medical" not in first
    assert first != second  # a fresh nonce prefix per sealing


def _many_frames() -> tuple[bytes, bytes, bytes]:
    content = os.urandom(3 * CHUNK_SIZE + 100)
    key = new_data_key()
    return content, key, seal(content, key, OBJECT_KEY)


async def test_a_changed_byte_is_refused() -> None:
    _, key, sealed = _many_frames()
    for position in (HEADER_SIZE + 10, HEADER_SIZE + FRAME_SIZE + 3, len(sealed) - 1):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(DamagedDocumentError):
            await _unseal(bytes(tampered), key)


async def test_swapped_frames_are_refused() -> None:
    _, key, sealed = _many_frames()
    header, body = sealed[:HEADER_SIZE], sealed[HEADER_SIZE:]
    first, second = body[:FRAME_SIZE], body[FRAME_SIZE : 2 * FRAME_SIZE]
    swapped = header + second + first + body[2 * FRAME_SIZE :]
    with pytest.raises(DamagedDocumentError):
        await _unseal(swapped, key)


async def test_truncation_at_a_frame_boundary_or_inside_a_frame_is_refused() -> None:
    _, key, sealed = _many_frames()
    for length in (HEADER_SIZE + 2 * FRAME_SIZE, len(sealed) - 1, HEADER_SIZE, 3):
        with pytest.raises(DamagedDocumentError):
            await _unseal(sealed[:length], key)


async def test_a_frame_from_another_document_is_refused() -> None:
    _, key, sealed = _many_frames()
    other = seal(os.urandom(3 * CHUNK_SIZE), key, OBJECT_KEY)
    spliced = sealed[: HEADER_SIZE + FRAME_SIZE] + other[HEADER_SIZE + FRAME_SIZE :]
    with pytest.raises(DamagedDocumentError):
        await _unseal(spliced, key)


async def test_the_wrong_object_key_or_data_key_is_refused() -> None:
    _, key, sealed = _many_frames()
    with pytest.raises(DamagedDocumentError):
        await _unseal(sealed, key, object_key=new_object_key())
    with pytest.raises(DamagedDocumentError):
        await _unseal(sealed, new_data_key())


async def test_an_unknown_format_version_is_refused() -> None:
    _, key, sealed = _many_frames()
    with pytest.raises(DamagedDocumentError):
        await _unseal(b"RDOC\x02" + sealed[len(MAGIC) :], key)


async def test_rewrap_after_a_key_rotation_still_opens_and_leaves_the_blob(tmp_path: Path) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    blobs = FilesystemBlobStore(tmp_path)
    kept = await DocumentVault(blobs, Cipher(old_key)).keep(b"evidence letter")
    stored = blobs.path(kept.object_key).read_bytes()

    rotated = DocumentVault(blobs, Cipher(f"{new_key},{old_key}"))
    rewrapped = rotated.rewrap(kept.wrapped_key)
    assert rewrapped != kept.wrapped_key
    assert blobs.path(kept.object_key).read_bytes() == stored
    # Once the old key is dropped, only the rewrapped key opens the document.
    only_new = DocumentVault(blobs, Cipher(new_key))
    assert await only_new.read(kept.object_key, rewrapped) == b"evidence letter"
    with pytest.raises(DamagedDocumentError):
        await only_new.read(kept.object_key, kept.wrapped_key)


async def test_the_vault_refuses_a_key_it_did_not_make(tmp_path: Path) -> None:
    vault = DocumentVault(FilesystemBlobStore(tmp_path), Cipher(Fernet.generate_key().decode()))
    with pytest.raises(InvalidObjectKeyError):
        await vault.read("../../etc/passwd", b"")
