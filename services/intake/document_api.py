"""Intake's staff routes for the documents that came with complaints (docs/design.md §8).

`GET /v1/staff/complaints/{reference}/documents` lists them (refused attachments too, with their
reason); `GET /v1/staff/complaints/{reference}/documents/{id}` streams one kept document's bytes,
always as an attachment under its sanitised name and with its type found by content, never
inline: a complainant's upload must not run in a staff browser.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from services.intake.api import DOCUMENTS
from services.intake.documents import ComplaintDocuments
from services.intake.store import StoredDocument
from shared.auth import StaffUser, staff_auth
from shared.documents.blobs import MissingBlobError

router = APIRouter(tags=["documents"])
StaffMember = Annotated[StaffUser, Depends(staff_auth())]
# A complaint reference (domain/references.py) and a document id (a UUID): bounded path parts.
Reference = Annotated[str, Path(max_length=32)]
DocumentId = Annotated[str, Path(max_length=36)]


class DocumentListed(BaseModel):
    id: str
    name: str | None
    kind: str | None
    media_type: str | None
    size: int
    added_by: str
    added_at: datetime
    refused_reason: str | None

    @classmethod
    def of(cls, document: StoredDocument) -> DocumentListed:
        return cls(
            id=document.document_id,
            name=document.name,
            kind=document.kind,
            media_type=document.media_type,
            size=document.size,
            added_by=document.added_by,
            added_at=document.added_at,
            refused_reason=document.refused_reason,
        )


class DocumentList(BaseModel):
    reference: str
    documents: list[DocumentListed]


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No such {what}.")


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 §4.3, RFC 8187)."""
    # Accents dropped from their letters (NFKD, then no combining marks); anything else not
    # plainly safe in a quoted header value becomes "_".
    decomposed = unicodedata.normalize("NFKD", name)
    fallback = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._- " else "_"
        for c in decomposed
        if not unicodedata.combining(c)
    )
    utf8 = quote(name, safe="")
    return f"attachment; filename=\"{fallback or 'document'}\"; filename*=UTF-8''{utf8}"


@router.get("/v1/staff/complaints/{reference}/documents", response_model=DocumentList)
async def list_documents(
    reference: Reference,
    staff: StaffMember,
    documents: Annotated[ComplaintDocuments, Depends(DOCUMENTS)],
) -> DocumentList:
    """The documents that came with the complaint, oldest first; refused ones have no bytes."""
    found = await documents.of_complaint(reference)
    if found is None:
        raise _not_found("complaint")
    return DocumentList(reference=reference, documents=[DocumentListed.of(d) for d in found])


@router.get(
    "/v1/staff/complaints/{reference}/documents/{document_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_document(
    reference: Reference,
    document_id: DocumentId,
    staff: StaffMember,
    documents: Annotated[ComplaintDocuments, Depends(DOCUMENTS)],
) -> StreamingResponse:
    """The document's bytes, streamed, as an attachment under its sanitised name."""
    download = await documents.download(reference, document_id)
    if download is None:
        raise _not_found("document")
    document = download.document
    # The first frame is read before answering, so a blob that is gone is a 404, not a 200 that
    # breaks off; a damaged one raises (a fault of ours, logged as one).
    try:
        first = await anext(download.chunks, b"")
    except MissingBlobError as error:
        raise _not_found("document") from error

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in download.chunks:
            yield chunk

    return StreamingResponse(
        body(),
        media_type=document.media_type or "application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(document.name or "document"),
            "X-Content-Type-Options": "nosniff",
            "Content-Length": str(document.size),
        },
    )
