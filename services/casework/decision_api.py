"""The draft and final decisions as PDF downloads (issue 16 part 4): the complainant's, behind
their tracking token, and the staff's, recorded in the access journal like every staff read.

Both render the tracking view (views.tracking), the content the complainant's page shows, so a
member of staff downloads exactly what the complainant was given.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from services.casework import decision_pdf, views
from services.casework.cases import Casework
from services.casework.decision_pdf import Kind
from services.casework.domain import Case
from services.casework.journal import api as journal_api
from shared.auth import StaffUser, TrackingToken, staff_auth
from shared.documents.downloads import attachment_headers
from shared.kit.i18n import request_language
from shared.timekeeping import uk_date

router = APIRouter()
StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
NOT_FOUND: Final = "No case with that reference and tracking token."
STAFF_NOT_FOUND: Final = "No case with that reference."
NOT_YET: Final[dict[Kind, str]] = {
    "draft": "There is no draft decision to download on this case yet.",
    "final": "There is no final decision to download on this case yet.",
}
# What the journal records a staff download as showing.
SEEN: Final[dict[Kind, str]] = {"draft": journal_api.DRAFT_DECISION, "final": journal_api.DECISION}
PDF_BODY: Final = {"schema": {"type": "string", "format": "binary"}}
PDF_OPENAPI: Final[dict[str, Any]] = {
    "response_class": Response,
    "responses": {
        "200": {
            "description": "The decision as a tagged PDF, as an attachment",
            "content": {decision_pdf.MEDIA_TYPE: PDF_BODY},
        }
    },
}


def _casework(request: Request) -> Casework:
    casework: Casework = request.app.state.casework
    return casework


CaseworkDep = Annotated[Casework, Depends(_casework)]


def _printable(casework: Casework, case: Case, kind: Kind) -> dict[str, Any]:
    """The tracking view the PDF is made from, or 404 while the case has no such decision."""
    now = casework.clock()
    view = views.tracking(case, uk_date(now), now, casework.rules, [])
    if not decision_pdf.available(kind, view):
        raise HTTPException(404, {"error": NOT_YET[kind]})
    return view


async def _download(request: Request, view: dict[str, Any], kind: Kind) -> Response:
    # Rendering takes tens of milliseconds of CPU: off the event loop.
    pdf = await asyncio.to_thread(decision_pdf.render, kind, view, request_language(request))
    name = decision_pdf.file_name(kind, view["reference"])
    return Response(
        pdf,
        media_type=decision_pdf.MEDIA_TYPE,
        # The name is ours and plain ASCII: the contract's header (docs/design.md §8) names it
        # once, without the RFC 8187 form a complainant's file name needs.
        headers=attachment_headers(name, len(pdf))
        | {"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _complainant_pdf(
    request: Request, casework: Casework, reference: str, token: str | None, kind: Kind
) -> Response:
    case = await casework.load_for_complainant(reference, token)
    if case is None:
        # An unknown reference and a wrong token alike: the answer reveals nothing.
        raise HTTPException(404, {"error": NOT_FOUND})
    return await _download(request, _printable(casework, case, kind), kind)


@router.get("/v1/track/{reference}/decision/draft.pdf", tags=["tracking"], **PDF_OPENAPI)
async def draft_decision_pdf(
    request: Request, reference: str, casework: CaseworkDep, token: TrackingToken
) -> Response:
    """Our draft decision as a PDF to keep (needs the tracking token); 404 until it is issued."""
    return await _complainant_pdf(request, casework, reference, token, "draft")


@router.get("/v1/track/{reference}/decision/final.pdf", tags=["tracking"], **PDF_OPENAPI)
async def final_decision_pdf(
    request: Request, reference: str, casework: CaseworkDep, token: TrackingToken
) -> Response:
    """Our final decision as a PDF to keep (needs the tracking token); 404 until it is made."""
    return await _complainant_pdf(request, casework, reference, token, "final")


async def _staff_pdf(
    request: Request, casework: Casework, user: StaffUser, reference: str, kind: Kind
) -> Response:
    case = await casework.load(reference)
    if case is None:
        raise HTTPException(404, {"error": STAFF_NOT_FOUND})
    view = _printable(casework, case, kind)
    # Recorded before the document is shown, as every staff read of a case is.
    actor = (user.sub, user.name, user.role.value)
    await journal_api.note_staff_read(request, reference, actor, [journal_api.CASE, SEEN[kind]])
    return await _download(request, view, kind)


@router.get("/v1/cases/{reference}/decision/draft.pdf", tags=["staff"], **PDF_OPENAPI)
async def staff_draft_decision_pdf(
    request: Request, reference: str, casework: CaseworkDep, user: StaffOnly
) -> Response:
    """The case's draft decision as the complainant's PDF; recorded in the access journal."""
    return await _staff_pdf(request, casework, user, reference, "draft")


@router.get("/v1/cases/{reference}/decision/final.pdf", tags=["staff"], **PDF_OPENAPI)
async def staff_final_decision_pdf(
    request: Request, reference: str, casework: CaseworkDep, user: StaffOnly
) -> Response:
    """The case's final decision as the complainant's PDF; recorded in the access journal."""
    return await _staff_pdf(request, casework, user, reference, "final")
