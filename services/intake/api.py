"""Intake's HTTP routes: the JSON API, the complaint form, and the eligibility pre-check.

Thin: each route parses its input once (schemas.py; forms.py maps the HTML forms onto the same
models), hands the domain's complaint to the use case (or asks the domain directly, for the
pre-check, which stores nothing), and answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import JsonSchemaMode
from starlette.datastructures import UploadFile

from services.intake.documents import ComplaintDocuments, RefusedFileError, SentFile
from services.intake.domain import (
    PUBLIC_CHANNELS,
    STAFF_CHANNELS,
    IntakeRules,
    advocacy_services,
    check_eligibility,
)
from services.intake.field_errors import FieldError, errors_by_field
from services.intake.forms import (
    DOCUMENTS_FIELD,
    form_to_complaint_payload,
    form_to_eligibility_payload,
)
from services.intake.organisations import OrganisationDirectory
from services.intake.schemas import (
    ComplaintAccepted,
    ComplaintRequest,
    EligibilityRequest,
    EligibilityResponse,
)
from services.intake.settings import IntakeSettings
from services.intake.submissions import (
    ComplaintIntake,
    IdempotencyConflictError,
    UnknownOrganisationError,
)
from shared.app import request_now
from shared.auth import StaffUser, staff_auth
from shared.bounds import field_error
from shared.events import Sector
from shared.kit.i18n import LocalisedTemplates, request_language
from shared.kit.state import StateKey, service_of
from shared.openapi import COMPONENTS

TEMPLATES = LocalisedTemplates.load(
    Path(__file__).parent / "templates", Path(__file__).parent / "locale"
)
# Idempotency keys are client-chosen; a UUID is 36 characters, this leaves room for prefixes.
MAX_IDEMPOTENCY_KEY_LENGTH = 200

# organisation.id names no directory entry (the form's list, or an integrator's stale copy).
UNKNOWN_ORGANISATION = {
    "field": "organisation.id",
    "message": "We do not know this organisation id: choose the organisation from the list.",
}

INTAKE: StateKey[ComplaintIntake] = StateKey("intake")
DIRECTORY: StateKey[OrganisationDirectory] = StateKey("organisation_directory")
RULES: StateKey[IntakeRules] = StateKey("rules")
DOCUMENTS: StateKey[ComplaintDocuments] = StateKey("complaint_documents")

router = APIRouter()


def problem(
    status: int,
    fields: list[dict[str, str]],
    message: str = "The request has problems; see fields.",
) -> JSONResponse:
    return JSONResponse({"error": message, "fields": fields}, status_code=status)


async def _json_body(request: Request) -> Any:
    """The body as JSON, or a 4xx naming what is wrong with it (the shared error handler)."""
    # Only JSON's own media type: text/plain and form bodies are "simple" requests a third-party
    # page can make a visitor's browser send without a CORS preflight (the form has its own route).
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise field_error(
            "Content-Type",
            "Send the body as application/json.",
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    body = await request.body()
    try:
        return json.loads(body)
    # ValueError also covers integers past Python's 4,300-digit limit, not a JSONDecodeError.
    except (ValueError, RecursionError) as error:
        raise field_error(
            "body", "The body must be a JSON object.", status.HTTP_400_BAD_REQUEST
        ) from error


def _validation_problem(error: ValidationError) -> JSONResponse:
    return problem(422, [{"field": e.field, "message": e.message} for e in errors_by_field(error)])


def json_body_openapi(
    body: type[BaseModel], answer: type[BaseModel] | None = None
) -> dict[str, Any]:
    """The operation's JSON body (read by `_json_body`, so also a 400 for JSON that does not
    parse) and, when FastAPI cannot see it, the model of its 2xx answer."""
    extra: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _component_schema(body, "validation")}},
        },
        "x-redress-errors": ["400"],
    }
    if answer is not None:
        extra["x-redress-body"] = _component_schema(answer, "serialization")
    return extra


def _component_schema(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
    # Nested models as components (shared/openapi.py hoists them), so every $ref resolves.
    return model.model_json_schema(ref_template=COMPONENTS + "{model}", mode=mode)


# A repeated Idempotency-Key with a different body is a 409.
COMPLAINT_BODY_SCHEMA = {
    **json_body_openapi(ComplaintRequest, ComplaintAccepted),
    "x-redress-errors": ["400", "409"],
}


@router.post(
    "/v1/complaints",
    status_code=201,
    tags=["complaints"],
    openapi_extra=COMPLAINT_BODY_SCHEMA,
    response_model=None,
)
async def submit_complaint(
    request: Request,
    intake: Annotated[ComplaintIntake, Depends(INTAKE)],
    idempotency_key: Annotated[str | None, Header(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] = None,
) -> Response:
    """Store a complaint and start its case; a repeated `Idempotency-Key` gets the first answer."""
    return await _submit(request, intake, idempotency_key, staff=None)


@router.post(
    "/v1/staff/complaints",
    status_code=201,
    tags=["complaints"],
    openapi_extra=COMPLAINT_BODY_SCHEMA,
    response_model=None,
)
async def submit_complaint_for_someone(
    request: Request,
    intake: Annotated[ComplaintIntake, Depends(INTAKE)],
    staff: Annotated[StaffUser, Depends(staff_auth())],
    idempotency_key: Annotated[str | None, Header(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] = None,
) -> Response:
    """A complaint taken by phone or letter and entered by staff (`channel` phone or letter)."""
    return await _submit(request, intake, idempotency_key, staff=staff)


async def _submit(
    request: Request, intake: ComplaintIntake, idempotency_key: str | None, staff: StaffUser | None
) -> Response:
    data = await _json_body(request)
    now = request_now(request)
    try:
        complaint = ComplaintRequest.model_validate(data, context={"today": now.date()})
    except ValidationError as error:
        return _validation_problem(error)
    if staff is None and complaint.channel not in PUBLIC_CHANNELS:
        return problem(
            403,
            [{"field": "channel", "message": "Phone and letter complaints are entered by staff."}],
        )
    if staff is not None and complaint.channel not in STAFF_CHANNELS:
        return problem(
            422,
            [{"field": "channel", "message": "Staff enter complaints taken by phone or letter."}],
        )
    try:
        submission = await intake.submit(
            complaint.to_complaint(), idempotency_key=idempotency_key, now=now
        )
    except UnknownOrganisationError:
        return problem(422, [UNKNOWN_ORGANISATION])
    except IdempotencyConflictError:
        return problem(
            422,
            [
                {
                    "field": "Idempotency-Key",
                    "message": "This Idempotency-Key was already used for a different complaint.",
                }
            ],
        )
    headers = {"Idempotent-Replayed": "true"} if submission.replayed else {}
    return JSONResponse(
        submission.accepted.model_dump(mode="json"), status_code=201, headers=headers
    )


@router.post(
    "/v1/eligibility",
    tags=["complaints"],
    response_model=EligibilityResponse,
    openapi_extra=json_body_openapi(EligibilityRequest),
)
async def eligibility(request: Request, rules: Annotated[IntakeRules, Depends(RULES)]) -> Response:
    """Can the ombudsman help? Reasons and next steps in plain English; nothing is stored."""
    data = await _json_body(request)
    today = request_now(request).date()
    try:
        facts = EligibilityRequest.model_validate(data, context={"today": today})
    except ValidationError as error:
        return _validation_problem(error)
    result = check_eligibility(facts.to_question(), today, rules)
    return JSONResponse(EligibilityResponse.from_result(result).model_dump(mode="json"))


# ----------------------------------------------------------------------------------- web pages


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.page(request, name, status, **context)


async def _form_fields(request: Request) -> dict[str, str | list[str]]:
    form = await request.form()
    fields: dict[str, str | list[str]] = {}
    for name in form:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        fields[name] = values if len(values) > 1 else (values[0] if values else "")
    return fields


async def _sent_files(request: Request, max_file_bytes: int) -> list[SentFile]:
    """The form's chosen files. Each is read to one byte past the per-file limit at most, so a
    huge upload is refused as too large without being held whole; a file input left empty (the
    browser sends a part with no name and no bytes) is no file."""
    form = await request.form()
    files: list[SentFile] = []
    for value in form.getlist(DOCUMENTS_FIELD):
        # Starlette's own class: the form holds it, not FastAPI's subclass of it.
        if not isinstance(value, UploadFile):
            continue
        content = await value.read(max_file_bytes + 1)
        if value.filename or content:
            files.append(SentFile(value.filename, content))
    return files


async def _organisation_options(request: Request) -> list[tuple[str, str]]:
    """The directory as the form's list: (id, official name), by name."""
    directory = await DIRECTORY.of(request.app).current()
    return [(entry.id, entry.name) for entry in directory.entries]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def complaint_form(request: Request) -> HTMLResponse:
    # Someone reading the form in Welsh is offered Welsh for everything we send (issue 14).
    values = {"complainant.language": "cy"} if request_language(request) == "cy" else {}
    return _page(
        request,
        "form.html",
        values=values,
        advocacy_services=advocacy_services(Sector.HEALTH, needs_support=True),
        organisation_options=await _organisation_options(request),
    )


@router.get("/complaint", include_in_schema=False)
async def complaint_form_again(request: Request) -> RedirectResponse:
    """The form's own page. The language switch on a page that answers the form's post (errors,
    confirmation) links here, with `?lang=`; what was typed is not carried over."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/{query}", status_code=303)


@router.post("/complaint", response_class=HTMLResponse, include_in_schema=False)
async def complaint_form_posted(
    request: Request,
    intake: Annotated[ComplaintIntake, Depends(INTAKE)],
    documents: Annotated[ComplaintDocuments, Depends(DOCUMENTS)],
) -> HTMLResponse:
    """The form's post (multipart, with optional files under `documents`, or form-encoded). A
    refused file re-shows the form with what was typed and the reason, under the file's status."""
    values = await _form_fields(request)
    now = request_now(request)

    async def again(errors: list[FieldError], code: int = 422) -> HTMLResponse:
        return _page(
            request,
            "form.html",
            status=code,
            values=values,
            errors=errors,
            advocacy_services=advocacy_services(Sector.HEALTH, needs_support=True),
            organisation_options=await _organisation_options(request),
        )

    try:
        complaint = ComplaintRequest.model_validate(
            form_to_complaint_payload(values), context={"today": now.date()}
        )
        files = await _sent_files(request, documents.limits.max_file_bytes)
        kept = await documents.from_form(files, now)
    except ValidationError as error:
        return await again(errors_by_field(error))
    except RefusedFileError as refused:
        return await again([refused_file_error(refused)], refused.refusal.status)
    try:
        submission = await intake.submit(
            complaint.to_complaint(), idempotency_key=None, now=now, documents=kept
        )
    except UnknownOrganisationError:
        await documents.discard(kept)
        return await again([FieldError(anchor="#organisation-id", **UNKNOWN_ORGANISATION)])
    except BaseException:
        await documents.discard(kept)
        raise
    return _confirmation(request, submission.accepted)


def _confirmation(request: Request, accepted: ComplaintAccepted) -> HTMLResponse:
    settings = service_of(request).settings
    assert isinstance(settings, IntakeSettings)
    return _page(
        request,
        "confirmation.html",
        status=201,
        reference=accepted.reference,
        tracking_url=f"{settings.tracking_url}/track/{accepted.reference}?token={accepted.tracking_token}",
        received_at=accepted.received_at,
        next_steps=accepted.next_steps,
        advocacy_services=accepted.advocacy_services,
        eligibility=accepted.eligibility,
    )


def refused_file_error(refused: RefusedFileError) -> FieldError:
    """The error summary's entry for a refused file: the file field and the reason."""
    # The catalog translates "{reason} Choose a different file." with the reason's own Welsh.
    message = f"{refused.refusal.message} Choose a different file."
    return FieldError(field=DOCUMENTS_FIELD, message=message, anchor=f"#{DOCUMENTS_FIELD}")


@router.get("/eligibility", response_class=HTMLResponse, include_in_schema=False)
async def eligibility_page(request: Request) -> HTMLResponse:
    return _page(request, "eligibility.html")


@router.post("/eligibility", response_class=HTMLResponse, include_in_schema=False)
async def eligibility_page_posted(
    request: Request, rules: Annotated[IntakeRules, Depends(RULES)]
) -> HTMLResponse:
    values = await _form_fields(request)
    today = request_now(request).date()
    try:
        facts = EligibilityRequest.model_validate(
            form_to_eligibility_payload(values), context={"today": today}
        )
    except ValidationError as error:
        return _page(
            request, "eligibility.html", status=422, values=values, errors=errors_by_field(error)
        )
    result = check_eligibility(facts.to_question(), today, rules)
    return _page(request, "eligibility.html", values=values, result=result)
