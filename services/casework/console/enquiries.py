"""The needs-a-person queue (issue 10 item 8): `/staff/enquiries`, emailed complaints intake
could not complete. Intake owns them; every page and form here goes through intake's staff API
(services/casework/intake_client.py), and intake registers each enquiry exactly once."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.casework.console import complaint_form
from services.casework.console.rendering import ConsolePageError, page
from services.casework.console.session import Staff, checked_form, text
from services.casework.intake_client import IntakeClient, IntakeUnavailableError
from services.casework.staff import StaffSession

router = APIRouter(prefix="/staff/enquiries", include_in_schema=False)

ENQUIRY = re.compile(r"^ENQ-[0-9A-Z]{8}$")
REASONS = (
    ("not_a_complaint", "Not a complaint"),
    ("answered_by_phone", "Answered by phone"),
    ("already_complained", "They have already complained (another case)"),
    ("not_for_us", "Not for the ombudsman (signposted elsewhere)"),
)
UNAVAILABLE = "The intake service did not answer, so nothing was changed. Try again in a minute."
# Words for the missing facts in the queue (intake names them by their JSON paths).
MISSING_WORDS = {f.name: f.label for f in complaint_form.FIELDS}


def intake_of(request: Request) -> IntakeClient:
    client: IntakeClient = request.app.state.intake_client
    return client


def _checked(reference: str) -> str:
    if not ENQUIRY.fullmatch(reference):
        raise ConsolePageError(404, "Enquiry not found", "There is no enquiry with that reference.")
    return reference


@router.get("")
async def queue(request: Request, staff: Staff) -> Response:
    try:
        enquiries = await intake_of(request).queue(staff)
        unavailable = False
    except IntakeUnavailableError:
        enquiries, unavailable = [], True
    for row in enquiries:
        row["missing_text"] = ", ".join(MISSING_WORDS.get(m, m) for m in row.get("missing", []))
        row["received_at"] = str(row.get("received_at", ""))[:16].replace("T", " ")
    done = {"registered": "The complaint was registered.", "closed": "The enquiry was closed."}
    return page(
        request,
        "enquiries.html",
        title="Needs a person",
        staff=staff,
        section="enquiries",
        enquiries=enquiries,
        unavailable=unavailable,
        done=done.get(request.query_params.get("done", ""), ""),
        status_code=503 if unavailable else 200,
    )


async def _enquiry_page(
    request: Request,
    staff: StaffSession,
    reference: str,
    *,
    errors: list[dict[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        enquiry = await intake_of(request).enquiry(staff, reference)
    except IntakeUnavailableError as error:
        raise ConsolePageError(503, "Intake is unavailable", UNAVAILABLE) from error
    if enquiry is None:
        raise ConsolePageError(404, "Enquiry not found", "There is no enquiry with that reference.")
    return page(
        request,
        "enquiry.html",
        title=f"Enquiry {reference}",
        staff=staff,
        section="enquiries",
        errors=errors,
        enquiry=enquiry,
        fields=complaint_form.FIELDS,
        posted=posted if posted is not None else complaint_form.posted_from(enquiry["read"]),
        field_errors=field_errors or {},
        reasons=REASONS,
        csrf_token=staff.csrf_token,
        status_code=status_code,
    )


@router.get("/{reference}")
async def enquiry(reference: str, request: Request, staff: Staff) -> Response:
    return await _enquiry_page(request, staff, _checked(reference))


@router.post("/{reference}/register")
async def register(reference: str, request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    reference = _checked(reference)
    payload = complaint_form.to_request(form, with_channel=False)
    try:
        answer = await intake_of(request).register(staff, reference, payload)
    except IntakeUnavailableError as error:
        raise ConsolePageError(503, "Intake is unavailable", UNAVAILABLE) from error
    if answer.status in (200, 201):
        return RedirectResponse(f"/staff/enquiries/{reference}", status_code=303)
    posted: dict[str, Any] = {f.name: text(form, f.name) for f in complaint_form.FIELDS}
    errors, by_id = complaint_form.errors_from(answer.field_errors)
    return await _enquiry_page(
        request,
        staff,
        reference,
        errors=errors,
        field_errors=by_id,
        posted=posted,
        status_code=answer.status if answer.status >= 400 else 422,
    )


@router.post("/{reference}/close")
async def close(reference: str, request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    reference = _checked(reference)
    reason = text(form, "reason")
    if reason not in dict(REASONS):
        errors = [{"text": "Choose why you are closing the enquiry", "href": "#reason"}]
        return await _enquiry_page(
            request,
            staff,
            reference,
            errors=errors,
            field_errors={"reason": errors[0]["text"]},
            status_code=422,
        )
    try:
        answer = await intake_of(request).close(staff, reference, reason)
    except IntakeUnavailableError as error:
        raise ConsolePageError(503, "Intake is unavailable", UNAVAILABLE) from error
    if answer.status != 200:
        message = "; ".join(f.get("message", "") for f in answer.field_errors) or "Not closed."
        raise ConsolePageError(answer.status, "The enquiry was not closed", message)
    return RedirectResponse("/staff/enquiries?done=closed", status_code=303)
