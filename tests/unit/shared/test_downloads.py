"""The one way documents are handed out (shared/documents/downloads.py): a blob that is gone is
found before the answer starts, and the headers never let a download render inline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.documents.blobs import MissingBlobError
from shared.documents.downloads import attachment_headers, opened


async def frames(*chunks: bytes, gone: bool = False) -> AsyncIterator[bytes]:
    if gone:
        raise MissingBlobError("gone")
    for chunk in chunks:
        yield chunk


async def test_a_missing_blob_raises_before_any_byte_is_answered() -> None:
    with pytest.raises(MissingBlobError):
        await opened(frames(gone=True))


async def test_an_opened_document_streams_every_frame_in_order() -> None:
    body = await opened(frames(b"one", b"two", b"three"))
    assert [chunk async for chunk in body] == [b"one", b"two", b"three"]


def test_a_download_is_an_attachment_never_sniffed_run_or_cached() -> None:
    headers = attachment_headers("", 12)
    assert headers["Content-Disposition"].startswith('attachment; filename="document"')
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Length"] == "12"
