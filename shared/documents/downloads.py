"""How every service hands out a kept document or a generated one: as an attachment, never
inline, under a safe name, streamed only once its first frame has opened.

One place for it: intake's and casework's document downloads and casework's decision PDFs all
answer with these headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

# When a name leaves nothing printable in ASCII.
DEFAULT_NAME = "document"


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 §4.3, RFC 8187). Quotes,
    backslashes, semicolons, controls and anything not ASCII become "_" in the fallback, so
    nothing a complainant typed can end the header or add another."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    utf8 = quote(name, safe="")
    return f"attachment; filename=\"{fallback or DEFAULT_NAME}\"; filename*=UTF-8''{utf8}"


def attachment_headers(name: str, size: int | None = None) -> dict[str, str]:
    """The headers of a download: an attachment, not sniffed, nothing in it allowed to run or
    load should a browser render it anyway, and kept by no shared cache (it is personal)."""
    headers = {
        "Content-Disposition": content_disposition(name or DEFAULT_NAME),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }
    if size is not None:
        headers["Content-Length"] = str(size)
    return headers


async def opened(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` with the first one already read: a blob that is gone raises here (the caller
    answers 404) rather than as a 200 that breaks off after its headers."""
    first = await anext(chunks, b"")

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return body()
