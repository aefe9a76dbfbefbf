"""Documents over HTTP (issue 16, docs/design.md §8): the complainant's uploads and list through
the tracking token, and staff's uploads, list and downloads.

The upload's body is read here, counted as it arrives, and refused (413) once it passes the
per-file limit plus room for the form around the file, so no upload is buffered unbounded; the
global body limit (shared/app.py) leaves these routes to this count. Downloads are streamed as
attachments, never inline, and each is recorded in the case's access journal first.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from services.casework.documents import (
    CaseDocuments,
    NoSuchCaseError,
    NoSuchDocumentError,
    Sender,
    Upload,
)
from services.casework.domain import ActionNotAllowed, Actor, Case, DomainRuleBroken
from services.casework.domain.documents import AddedBy
from services.casework.journal import api as journal_api
from services.casework.store import StaleCaseError
from shared.app import validation_error_body
from shared.auth import Role, StaffUser, TrackingToken, staff_auth, tracking_token_matches
from shared.documents.blobs import MissingBlobError
from shared.documents.downloads import attachment_headers, opened
from shared.documents.refusals import RefusedDocumentError
from shared.text import multi_line

router = APIRouter()
StaffOnly = Annotated[StaffUser, Depends(staff_auth())]

# The routes that read their own bodies (the app's 1 MiB limit would refuse any real document).
UPLOAD_PATHS: Final = re.compile(r"/v1/(?:track|cases)/[^/]+/documents")
# A description says what the document is: a line or two. 2,000 characters is the longest a
# caseworker's note on a document needs; the form's parts, headers and boundaries take room
# besides the file: the description at 4 UTF-8 bytes a character, and 16 KiB for the rest.
MAX_DESCRIPTION: Final = 2000
FORM_OVERHEAD_BYTES: Final = 4 * MAX_DESCRIPTION + 16 * 1024
# An evidence request's id is the case reference (32 at most) and "-E<n>": 64 is ample.
MAX_REQUEST_ID: Final = 64
# The file, the description, the evidence request and the staff's sharing choice.
MAX_FORM_FIELDS: Final = 4
NOT_FOUND = "No case with that reference and tracking token."
NO_DOCUMENT = "No document with that id on this case."
STAFF_ROLES_SEEING_ALL = frozenset({Role.MANAGER, Role.ADMIN})


def documents_of(request: Request) -> CaseDocuments:
    documents: CaseDocuments = request.app.state.documents
    return documents


DocumentsDep = Annotated[CaseDocuments, Depends(documents_of)]


def _field_error(field: str, message: str) -> HTTPException:
    body = validation_error_body([{"loc": ("body", field), "msg": message}])
    return HTTPException(422, body)


def _too_large() -> HTTPException:
    return HTTPException(
        413,
        {
            "error": "This file is larger than the limit for one file.",
            "reason": "file_too_large",
            "field": "file",
        },
    )


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large()
    return bytes(body)


def _text_field(value: Any, field: str, limit: int) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise _field_error(field, "must be text")
    if len(value) > limit:
        raise _field_error(field, f"must be at most {limit} characters")
    try:
        return multi_line(value).strip()
    except PydanticCustomError as error:
        raise _field_error(field, error.message()) from None


async def read_upload(request: Request, max_file_bytes: int) -> tuple[Upload, bool]:
    """The upload in a multipart form (field `file`, optional `description`,
    `evidence_request_id`, `shared_with_complainant`), read without passing the limit."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _field_error("file", "send the file as multipart/form-data, in the field 'file'")
    body = await _bounded_body(request, max_file_bytes + FORM_OVERHEAD_BYTES)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(
            max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=FORM_OVERHEAD_BYTES
        )
    except (MultiPartException, StarletteHTTPException):
        # Starlette words a malformed form as a 400; it is the file's field that is wrong.
        raise _field_error("file", "the form cannot be read as multipart/form-data") from None
    try:
        return await _upload_in(form)
    finally:
        await form.close()


async def _upload_in(form: FormData) -> tuple[Upload, bool]:
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise _field_error("file", "a file is required")
    upload = Upload(
        content=await file.read(),
        name=file.filename,
        description=_text_field(form.get("description"), "description", MAX_DESCRIPTION),
        evidence_request_id=_text_field(
            form.get("evidence_request_id"), "evidence_request_id", MAX_REQUEST_ID
        ),
    )
    shared = _text_field(form.get("shared_with_complainant"), "shared_with_complainant", 5)
    return upload, (shared or "").lower() in {"true", "yes", "on", "1"}


async def _add(
    documents: CaseDocuments, reference: str, upload: Upload, sender: Sender
) -> JSONResponse:
    try:
        added = await documents.add(reference, upload, sender)
    except RefusedDocumentError as refused:
        raise HTTPException(
            refused.status, {"error": refused.message, "reason": refused.reason, "field": "file"}
        ) from None
    except NoSuchCaseError:
        raise HTTPException(404, {"error": NOT_FOUND}) from None
    except StaleCaseError:
        raise HTTPException(409, {"error": "The case changed meanwhile. Try again."}) from None
    except ActionNotAllowed as refused:
        raise HTTPException(
            409, {"error": f"Evidence cannot be received in stage {refused.stage}."}
        ) from None
    except DomainRuleBroken as broken:
        body = validation_error_body([{"loc": ("evidence_request_id",), "msg": str(broken)}])
        raise HTTPException(422, body) from None
    return JSONResponse(jsonable_encoder(added), status_code=201)


# ----------------------------------------------------------------------------- complainants


async def _complainant_case(request: Request, reference: str, token: str | None) -> Case:
    """The case for its own tracking token; 404 for a wrong token and an unknown case alike."""
    async with documents_of(request).uow.reading() as stores:
        loaded = await stores.cases.load(reference)
    if loaded is None or not tracking_token_matches(token, loaded[2]):
        raise HTTPException(404, {"error": NOT_FOUND})
    return loaded[0]


@router.post("/v1/track/{reference}/documents", tags=["tracking"], status_code=201)
async def complainant_upload(
    reference: str, request: Request, documents: DocumentsDep, token: TrackingToken
) -> JSONResponse:
    """Send a document for your case (multipart field `file`, optional `description`)."""
    await _complainant_case(request, reference, token)
    upload, _ = await read_upload(request, documents.limits.max_file_bytes)
    if upload.evidence_request_id is not None:
        raise _field_error("evidence_request_id", "is for staff recording the organisation's")
    actor = Actor(id=f"complainant:{reference}", name="You", role="complainant")
    sender = Sender(actor, AddedBy.COMPLAINANT, shared_with_complainant=True)
    return await _add(documents, reference, upload, sender)


@router.get("/v1/track/{reference}/documents", tags=["tracking"])
async def complainant_documents(
    reference: str, request: Request, documents: DocumentsDep, token: TrackingToken
) -> JSONResponse:
    """What you sent, and what we shared with you."""
    await _complainant_case(request, reference, token)
    listed = await documents.listing(reference, for_complainant=True)
    return JSONResponse(jsonable_encoder({"documents": listed}))


# ----------------------------------------------------------------------------------- staff


async def _staff_case(request: Request, reference: str, user: StaffUser) -> Case:
    """Managers and admins see every case's documents; a caseworker those of their own cases,
    as the console shows contact details (console/case_view.py)."""
    async with documents_of(request).uow.reading() as stores:
        loaded = await stores.cases.load(reference)
    if loaded is None:
        raise HTTPException(404, {"error": "No case with that reference."})
    case = loaded[0]
    assigned = case.caseworker is not None and case.caseworker.id == user.sub
    if user.role not in STAFF_ROLES_SEEING_ALL and not assigned:
        raise HTTPException(403, {"error": "Only the assigned caseworker or a manager."})
    return case


@router.post("/v1/cases/{reference}/documents", tags=["staff"], status_code=201)
async def staff_upload(
    reference: str, request: Request, documents: DocumentsDep, user: StaffOnly
) -> JSONResponse:
    """Add a document (multipart `file`, optional `description`, `evidence_request_id` for
    the organisation's evidence, which marks the request received, `shared_with_complainant`)."""
    await _staff_case(request, reference, user)
    upload, shared = await read_upload(request, documents.limits.max_file_bytes)
    added_by = AddedBy.STAFF if upload.evidence_request_id is None else AddedBy.ORGANISATION
    actor = Actor(id=user.sub, name=user.name, role=user.role.value)
    return await _add(documents, reference, upload, Sender(actor, added_by, shared))


@router.get("/v1/cases/{reference}/documents", tags=["staff"])
async def staff_documents(
    reference: str, request: Request, documents: DocumentsDep, user: StaffOnly
) -> JSONResponse:
    await _staff_case(request, reference, user)
    listed = await documents.listing(reference, for_complainant=False)
    return JSONResponse(jsonable_encoder({"documents": listed}))


@router.get("/v1/cases/{reference}/documents/{document_id}", tags=["staff"])
async def staff_download(
    reference: str, document_id: str, request: Request, documents: DocumentsDep, user: StaffOnly
) -> StreamingResponse:
    """The document's bytes, streamed as an attachment; the read is journalled first."""
    await _staff_case(request, reference, user)
    try:
        row = await documents.find(reference, document_id)
    except NoSuchDocumentError:
        raise HTTPException(404, {"error": NO_DOCUMENT}) from None
    actor = (user.sub, user.name, user.role.value)
    await journal_api.note_staff_read(request, reference, actor, [journal_api.DOCUMENTS])
    try:
        body = await opened(documents.content(row))
    except MissingBlobError:
        raise HTTPException(404, {"error": NO_DOCUMENT}) from None
    headers = attachment_headers(row["display_name"], row["size"])
    return StreamingResponse(body, media_type=row["media_type"], headers=headers)
