"""Intake's staff routes for the needs-a-person queue (docs/design.md section 8): list the open
enquiries, read one, register it as a complaint, or close it with a reason.

Staff tokens only (any staff role); the answers carry personal data (the mail as received), so
they are for the console and staff tools, never a public topic, a log or a URL.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from services.intake.api import (
    INTAKE,
    UNKNOWN_ORGANISATION,
    _json_body,
    _validation_problem,
    json_body_openapi,
    problem,
)
from services.intake.domain import IntakeChannel
from services.intake.email.questions import ENQUIRY_PREFIX, ENQUIRY_RANDOM_LENGTH
from services.intake.enquiries import (
    CloseReason,
    EnquiryClosedError,
    EnquiryCompletedError,
    EnquiryDesk,
    EnquiryNotFoundError,
)
from services.intake.schemas import ComplaintAccepted, ComplaintRequest
from services.intake.submissions import ComplaintIntake, UnknownOrganisationError
from shared.app import request_now
from shared.auth import StaffUser, staff_auth
from shared.kit.state import StateKey

DESK: StateKey[EnquiryDesk] = StateKey("enquiry_desk")
# Enquiry references as drawn (email/questions.py): a path that cannot be one is a plain 404.
EnquiryReference = Annotated[
    str, Path(pattern=rf"^{ENQUIRY_PREFIX}-[0-9A-Z]{{{ENQUIRY_RANDOM_LENGTH}}}$")
]

router = APIRouter(prefix="/v1/staff/enquiries", tags=["enquiries"])
StaffMember = Annotated[StaffUser, Depends(staff_auth())]


def _not_found() -> JSONResponse:
    return problem(404, [{"field": "enquiry_reference", "message": "There is no such enquiry."}])


@router.get("")
async def list_enquiries(
    request: Request, desk: Annotated[EnquiryDesk, Depends(DESK)], staff: StaffMember
) -> dict[str, Any]:
    """The open enquiries, oldest first: mails intake could not make into a complaint."""
    return {"enquiries": await desk.queue(request_now(request))}


@router.get("/{enquiry_reference}", response_model=None)
async def read_enquiry(
    enquiry_reference: EnquiryReference,
    request: Request,
    desk: Annotated[EnquiryDesk, Depends(DESK)],
    staff: StaffMember,
) -> Response:
    """The mail as received, what intake could read from it, and what is still missing."""
    try:
        return JSONResponse(await desk.enquiry(enquiry_reference, request_now(request)))
    except EnquiryNotFoundError:
        return _not_found()


# `{reason}`, read by `_json_body` (so 400 and 415 too); 409 once the enquiry is registered.
CLOSE_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"reason": {"enum": [r.value for r in CloseReason]}},
                    "required": ["reason"],
                }
            }
        },
    },
    "x-redress-errors": ["400", "409"],
}


@router.post(
    "/{enquiry_reference}/complaint",
    status_code=201,
    response_model=None,
    openapi_extra=json_body_openapi(ComplaintRequest, ComplaintAccepted),
)
async def register_enquiry(
    enquiry_reference: EnquiryReference,
    request: Request,
    desk: Annotated[EnquiryDesk, Depends(DESK)],
    intake: Annotated[ComplaintIntake, Depends(INTAKE)],
    staff: StaffMember,
) -> Response:
    """Register the enquiry as a complaint with the facts staff completed (channel `email`).

    Exactly once: a repeat answers 200 with the same reference, as does an enquiry the
    complainant's own reply completed first."""
    data = await _json_body(request)
    if isinstance(data, dict):
        data.setdefault("channel", IntakeChannel.EMAIL.value)
    now = request_now(request)
    try:
        complaint = ComplaintRequest.model_validate(data, context={"today": now.date()})
    except ValidationError as error:
        return _validation_problem(error)
    if complaint.channel is not IntakeChannel.EMAIL:
        message = "An emailed enquiry is registered as an email complaint."
        return problem(422, [{"field": "channel", "message": message}])
    try:
        registered = await desk.register(enquiry_reference, complaint, staff.sub, now)
    except EnquiryNotFoundError:
        return _not_found()
    except UnknownOrganisationError:
        return problem(422, [UNKNOWN_ORGANISATION])
    except EnquiryClosedError:
        message = "This enquiry was closed; it opens again if the complainant replies."
        return problem(409, [{"field": "enquiry_reference", "message": message}])
    return JSONResponse(
        {
            "enquiry_reference": registered.enquiry_reference,
            "status": "completed",
            "reference": registered.reference,
            "registered_now": registered.registered_now,
        },
        status_code=201 if registered.registered_now else 200,
    )


@router.post("/{enquiry_reference}/close", response_model=None, openapi_extra=CLOSE_OPENAPI)
async def close_enquiry(
    enquiry_reference: EnquiryReference,
    request: Request,
    desk: Annotated[EnquiryDesk, Depends(DESK)],
    staff: StaffMember,
) -> Response:
    """Close an open enquiry with `{reason}`: not_a_complaint, answered_by_phone,
    already_complained or not_for_us. No more questions are sent."""
    data = await _json_body(request)
    reasons = ", ".join(r.value for r in CloseReason)
    given = data.get("reason") if isinstance(data, dict) else None
    if not isinstance(given, str) or given not in {r.value for r in CloseReason}:
        return problem(422, [{"field": "reason", "message": f"Choose one of {reasons}."}])
    try:
        closed = await desk.close(
            enquiry_reference, CloseReason(given), staff.sub, request_now(request)
        )
    except EnquiryNotFoundError:
        return _not_found()
    except EnquiryCompletedError as completed:
        message = f"This enquiry was already registered as {completed.reference}."
        return problem(409, [{"field": "enquiry_reference", "message": message}])
    return JSONResponse(closed)
