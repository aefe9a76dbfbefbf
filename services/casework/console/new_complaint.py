"""`/staff/complaints/new`: a complaint someone made by phone or letter, entered by a caseworker
or manager through intake's staff API (`POST /v1/staff/complaints`, docs/design.md section 5).

The form carries a random Idempotency-Key, so a double submit makes one complaint; intake
validates it exactly as the public form, and its field errors are shown in the error summary.
"""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.casework.console import complaint_form
from services.casework.console.enquiries import UNAVAILABLE, intake_of
from services.casework.console.rendering import ConsolePageError, page
from services.casework.console.session import Staff, checked_form, text
from services.casework.intake_client import IntakeUnavailableError
from services.casework.staff import StaffSession

router = APIRouter(prefix="/staff/complaints", include_in_schema=False)
FORM_KEY = re.compile(r"^[0-9a-f]{32}$")


def _form_page(
    request: Request,
    staff: StaffSession,
    *,
    posted: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    registered: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "new_complaint.html",
        title="Complaint registered" if registered else "Enter a phone or letter complaint",
        staff=staff,
        section="new_complaint",
        errors=errors,
        fields=complaint_form.FIELDS,
        channel_field=complaint_form.CHANNEL_FIELD,
        posted=posted or {},
        field_errors=field_errors or {},
        idempotency_key=idempotency_key or uuid.uuid4().hex,
        registered=registered,
        csrf_token=staff.csrf_token,
        status_code=status_code,
    )


@router.get("/new")
async def new_complaint(request: Request, staff: Staff) -> Response:
    return _form_page(request, staff)


@router.post("/new")
async def register_complaint(request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    key = text(form, "idempotency_key")
    key = key if FORM_KEY.fullmatch(key) else uuid.uuid4().hex
    payload = complaint_form.to_request(form, with_channel=True)
    try:
        answer = await intake_of(request).submit(staff, payload, f"console-{key}")
    except IntakeUnavailableError as error:
        raise ConsolePageError(503, "Intake is unavailable", UNAVAILABLE) from error
    if answer.status == 201:
        return _form_page(request, staff, registered=str(answer.body["reference"]), status_code=201)
    fields = (*complaint_form.FIELDS, complaint_form.CHANNEL_FIELD)
    errors, by_id = complaint_form.errors_from(answer.field_errors)
    return _form_page(
        request,
        staff,
        posted={f.name: text(form, f.name) for f in fields},
        errors=errors,
        field_errors=by_id,
        idempotency_key=key,
        status_code=answer.status if answer.status >= 400 else 422,
    )
