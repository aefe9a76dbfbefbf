"""Intake's staff routes for the documents that came with complaints (docs/design.md §8).

`GET /v1/staff/complaints/{reference}/documents` lists them (refused attachments too, with their
reason); `GET /v1/staff/complaints/{reference}/documents/{id}` streams one kept document's bytes,
always as an attachment under its sanitised name and with its type found by content, never
inline: a complainant's upload must not run in a staff browser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from services.intake.api import DOCUMENTS
from services.intake.documents import ComplaintDocuments
from services.intake.store import StoredDocument
from shared.auth import StaffUser, staff_auth
from shared.documents.blobs import MissingBlobError
from shared.documents.downloads import DEFAULT_NAME, attachment_headers, opened

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
    try:
        body = await opened(download.chunks)
    except MissingBlobError as error:
        raise _not_found("document") from error
    return StreamingResponse(
        body,
        media_type=document.media_type or "application/octet-stream",
        headers=attachment_headers(document.name or DEFAULT_NAME, document.size),
    )
