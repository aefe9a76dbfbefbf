"""The access journal over HTTP: the one call every staff route makes before it shows a case
(`note_staff_read`), and the managers' `GET /v1/cases/{reference}/access-log`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.casework.cases import Casework
from services.casework.domain.journal import StaffRead
from services.casework.journal import JournalWork, access_log, record_read
from shared.app import request_now
from shared.auth import Role, StaffUser, staff_auth

router = APIRouter()
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]
NOT_FOUND = "No case with that reference."

# What a staff read can show, as the journal names it.
CASE, COMPLAINT, CONTACT_DETAILS, MESSAGES, ACCESS_LOG, DRAFT_COMMENTS = (
    "case",
    "complaint",
    "contact_details",
    "messages",
    "access_log",
    "draft_comments",
)
# A document's bytes (issue 16: every staff download is journalled).
DOCUMENTS = "documents"
# A staff download of the draft or the final decision's PDF (decision_api.py).
DRAFT_DECISION, DECISION = "draft_decision", "decision"


def journal_of(request: Request) -> JournalWork:
    journal: JournalWork = request.app.state.journal
    return journal


def route_of(request: Request) -> str:
    """The route template (`GET /v1/cases/{reference}`), never the URL: no query strings."""
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


async def note_staff_read(
    request: Request, reference: str, actor: tuple[str, str, str], seen: list[str]
) -> None:
    """Record that `actor` (id, name, role) saw `seen` of the case, before it is shown."""
    actor_id, name, role = actor
    read = StaffRead(
        reference, actor_id, name, role, request_now(request), route_of(request), tuple(seen)
    )
    await record_read(journal_of(request), read)


@router.get("/v1/cases/{reference}/access-log", tags=["staff"])
async def case_access_log(reference: str, request: Request, user: ManagerOnly) -> JSONResponse:
    """Every staff read of the case, oldest first, with the hash chain's verdict."""
    casework: Casework = request.app.state.casework
    log = await access_log(journal_of(request), reference)
    if not log["entries"]:
        async with casework.uow.reading() as stores:
            if not await stores.cases.exists(reference):
                raise HTTPException(404, {"error": NOT_FOUND})
    return JSONResponse(jsonable_encoder(log))
