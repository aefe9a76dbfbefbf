"""Feedback's JSON API: answering a survey and opting out, the staff summary, organisations'
survey contacts, and open consultations (their pages are in pages.py).

The survey link's token is the only credential: anyone holding the link may answer once. The
JSON API tells a client which case a link that cannot be used is (404, 410, 409) as
docs/design.md §5 asks.
A consultation's address is public by design: anyone may answer while it is open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.feedback.consultations import (
    AlreadyPublishedError,
    ConsultationClosedError,
    ConsultationDesk,
)
from services.feedback.contacts import OrganisationContacts
from services.feedback.domain import (
    CONSULTATION_MAX_QUESTIONS,
    CONSULTATION_TITLE_MAX_CHARS,
    ORGANISATION_NAME_MAX_CHARS,
    QUESTION_MAX_CHARS,
    SCALE,
    SURVEY_QUESTIONS,
    Consultation,
    ConsultationStatus,
    InvalidAnswersError,
    InvalidConsultationError,
    InvalidContactError,
    OrganisationContact,
    Respondent,
    SurveyStatus,
    contact_email,
    organisation_key,
    results_json,
)
from services.feedback.summary import FeedbackSummary
from services.feedback.surveys import SurveyClosedError, SurveyDesk
from shared.app import request_now
from shared.auth import Role, StaffUser, staff_auth
from shared.bounds import QueryDate, bounded_date, field_error
from shared.kit.state import StateKey
from shared.text import single_line

router = APIRouter()

# What app.py hands the routes (here and in pages.py).
SURVEYS: StateKey[SurveyDesk] = StateKey("surveys")
CONSULTATIONS: StateKey[ConsultationDesk] = StateKey("consultations")
CONTACTS: StateKey[OrganisationContacts] = StateKey("organisation_contacts")
SUMMARY: StateKey[FeedbackSummary] = StateKey("feedback_summary")

# Survey tokens are 43 URL-safe characters (surveys.SURVEY_TOKEN_BYTES); anything far longer
# is not a token and is refused before it reaches the database.
MAX_TOKEN_LENGTH = 100

Token = Annotated[str, PathParam(max_length=MAX_TOKEN_LENGTH)]
ConsultationId = Annotated[str, PathParam(max_length=36)]
Desk = Annotated[SurveyDesk, Depends(SURVEYS)]
Consultations = Annotated[ConsultationDesk, Depends(CONSULTATIONS)]
Contacts = Annotated[OrganisationContacts, Depends(CONTACTS)]
Summary = Annotated[FeedbackSummary, Depends(SUMMARY)]
StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
# Organisation contacts and publishing results are a manager's decision (admins too).
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]

_JSON_STATUS = {
    SurveyStatus.UNKNOWN: (status.HTTP_404_NOT_FOUND, "There is no survey at this address."),
    SurveyStatus.EXPIRED: (status.HTTP_410_GONE, "This survey has closed."),
    SurveyStatus.ANSWERED: (status.HTTP_409_CONFLICT, "This survey has already been answered."),
}


# --------------------------------------------------------------------------------------------
# Surveys.
# --------------------------------------------------------------------------------------------


class SurveyAnswers(BaseModel):
    answers: dict[str, Any] = Field(
        description="Question id to a score from 1 (strongly disagree) to 5 (strongly agree)."
    )
    comments: str | None = None


def _field_name(key: str) -> str:
    return key if key in ("answers", "comments") else f"answers.{key}"


def _invalid_answers(error: InvalidAnswersError) -> JSONResponse:
    fields = [
        {"field": _field_name(key), "message": message} for key, message in error.errors.items()
    ]
    return JSONResponse(
        {"error": "The answers have problems; see fields.", "fields": fields},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _created(response_id: str, submitted_at: datetime) -> JSONResponse:
    return JSONResponse(
        {"response_id": response_id, "submitted_at": submitted_at.astimezone(UTC).isoformat()},
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/v1/surveys/questions", tags=["survey"])
async def questions() -> dict[str, object]:
    """The survey's questions and answer scale, for clients that draw their own form."""
    return {
        "questions": [{"id": q.question_id, "text": q.text} for q in SURVEY_QUESTIONS],
        "scale": [{"score": score, "label": label} for score, label in SCALE],
    }


@router.post("/v1/surveys/{token}", tags=["survey"], status_code=201, response_model=None)
async def submit_answers(
    request: Request, token: Token, body: SurveyAnswers, desk: Desk
) -> JSONResponse:
    """Answer the survey once: 201, or 404 unknown, 410 closed, 409 answered, 422 bad answers."""
    try:
        submitted = await desk.submit(token, body.answers, body.comments, request_now(request))
    except SurveyClosedError as error:
        code, message = _JSON_STATUS[error.status]
        return JSONResponse({"error": message}, status_code=code)
    except InvalidAnswersError as error:
        return _invalid_answers(error)
    return _created(submitted.response_id, submitted.submitted_at)


@router.post("/v1/surveys/{token}/opt-out", tags=["survey"], status_code=204)
async def opt_out(request: Request, token: Token, desk: Desk) -> None:
    """No more messages about this survey (404 for an unknown token)."""
    if await desk.opt_out(token, request_now(request)) is SurveyStatus.UNKNOWN:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no survey at this address.")


# --------------------------------------------------------------------------------------------
# Staff summary.
# --------------------------------------------------------------------------------------------


@router.get("/v1/feedback/summary", tags=["feedback"])
async def feedback_summary(
    request: Request,
    _: StaffOnly,
    summary: Summary,
    period_from: Annotated[QueryDate | None, Query(alias="from")] = None,
    to: Annotated[QueryDate | None, Query()] = None,
    respondent: Annotated[Respondent, Query()] = "complainant",
) -> dict[str, object]:
    """Complainants' (or, with `respondent=organisation`, organisations') answers in a period
    (default: everything so far), for staff: unsuppressed."""
    today = request_now(request).date()
    start_day = bounded_date("from", period_from)
    end_day = bounded_date("to", to) or today
    return await summary.summary(start_day, end_day, respondent)


# --------------------------------------------------------------------------------------------
# Organisations' survey contacts (staff-managed: no organisation contact travels on events).
# --------------------------------------------------------------------------------------------

OrganisationName = Annotated[str, PathParam(max_length=ORGANISATION_NAME_MAX_CHARS)]


class ContactBody(BaseModel):
    email: str = Field(max_length=320, description="Where the organisation's survey goes.")


def _contact_json(contact: OrganisationContact) -> dict[str, object]:
    return {
        "organisation": contact.organisation,
        "email": contact.email,
        "updated_at": contact.updated_at.astimezone(UTC).isoformat(),
        "updated_by": contact.updated_by,
    }


def _bad_field(field: str, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": "The request has problems; see fields.",
            "fields": [{"field": field, "message": message}],
        },
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _checked_name(name: str) -> str:
    """The organisation's name from the path, or a 422 naming it: blank, too long, or with
    control or hidden characters (shared/text.py) it could not be looked up by."""
    try:
        single_line(name)
        organisation_key(name)
    except ValueError as error:  # PydanticCustomError is a ValueError too
        raise field_error("name", str(error)) from None
    return name


def _no_contact() -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, detail="This organisation has no survey contact."
    )


@router.put("/v1/organisations/{name:path}/contact", tags=["organisations"], response_model=None)
async def put_contact(
    request: Request,
    name: OrganisationName,
    body: ContactBody,
    user: ManagerOnly,
    contacts: Contacts,
) -> JSONResponse:
    """Set where an organisation's post-closure survey goes (replaces any earlier address).
    Surveys are created for cases that close from now on."""
    try:
        _checked_name(name)
        address = contact_email(body.email)
    except InvalidContactError as error:
        return _bad_field("email", str(error))
    except ValueError as error:
        return _bad_field("name", str(error))
    contact = OrganisationContact(" ".join(name.split()), address, request_now(request), user.sub)
    await contacts.put(contact)
    return JSONResponse(_contact_json(contact))


@router.get("/v1/organisations/{name:path}/contact", tags=["organisations"])
async def get_contact(
    name: OrganisationName, _: ManagerOnly, contacts: Contacts
) -> dict[str, object]:
    """The organisation's survey contact (404 if none)."""
    contact = await contacts.get(_checked_name(name))
    if contact is None:
        raise _no_contact()
    return _contact_json(contact)


@router.delete("/v1/organisations/{name:path}/contact", tags=["organisations"], status_code=204)
async def delete_contact(name: OrganisationName, _: ManagerOnly, contacts: Contacts) -> None:
    """Stop surveying the organisation: no new surveys, and no more invitations or reminders."""
    if not await contacts.remove(_checked_name(name)):
        raise _no_contact()


# --------------------------------------------------------------------------------------------
# Open consultations.
# --------------------------------------------------------------------------------------------


class NewConsultation(BaseModel):
    title: str = Field(max_length=CONSULTATION_TITLE_MAX_CHARS)
    questions: list[Annotated[str, Field(max_length=QUESTION_MAX_CHARS)]] | None = Field(
        None,
        max_length=CONSULTATION_MAX_QUESTIONS,
        description="Statements to agree or disagree with; default: the service charter's.",
    )
    closes_on: date = Field(description="The last day answers are taken (UK date).")


def _consultation_json(desk: ConsultationDesk, consultation: Consultation) -> dict[str, object]:
    return {
        "id": consultation.consultation_id,
        "title": consultation.title,
        "public_url": desk.page_url(consultation.consultation_id),
        "closes_on": consultation.closes_on.isoformat(),
        "questions": [{"id": q.question_id, "text": q.text} for q in consultation.questions],
        "published_at": (
            consultation.published_at.astimezone(UTC).isoformat()
            if consultation.published_at
            else None
        ),
        "results_url": (
            desk.results_url(consultation.consultation_id) if consultation.published_at else None
        ),
    }


def _unknown_consultation() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no consultation with this id.")


@router.post("/v1/consultations", tags=["consultations"], status_code=201, response_model=None)
async def create_consultation(
    request: Request, body: NewConsultation, user: StaffOnly, desk: Consultations
) -> JSONResponse:
    """Open a consultation: anyone with its `public_url` may answer until `closes_on`."""
    try:
        consultation = await desk.create(
            title=body.title,
            questions=body.questions,
            closes_on=body.closes_on,
            created_by=user.sub,
            now=request_now(request),
        )
    except InvalidConsultationError as error:
        fields = [{"field": key, "message": message} for key, message in error.errors.items()]
        return JSONResponse(
            {"error": "The consultation has problems; see fields.", "fields": fields},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return JSONResponse(_consultation_json(desk, consultation), status_code=status.HTTP_201_CREATED)


@router.get("/v1/consultations", tags=["consultations"])
async def list_consultations(_: StaffOnly, desk: Consultations) -> list[dict[str, object]]:
    """Every consultation, newest first."""
    return [_consultation_json(desk, c) for c in await desk.listing()]


@router.post(
    "/v1/consultations/{consultation_id}/responses",
    tags=["consultations"],
    status_code=201,
    response_model=None,
)
async def answer_consultation(
    request: Request, consultation_id: ConsultationId, body: SurveyAnswers, desk: Consultations
) -> JSONResponse:
    """Answer a consultation: 201, or 404 unknown, 410 closed, 422 bad answers."""
    try:
        submitted = await desk.answer(
            consultation_id, body.answers, body.comments, request_now(request)
        )
    except ConsultationClosedError as error:
        if error.status is ConsultationStatus.UNKNOWN:
            raise _unknown_consultation() from error
        return JSONResponse(
            {"error": "This consultation has closed."}, status_code=status.HTTP_410_GONE
        )
    except InvalidAnswersError as error:
        return _invalid_answers(error)
    return _created(submitted.response_id, submitted.submitted_at)


@router.get("/v1/consultations/{consultation_id}/results", tags=["consultations"])
async def consultation_results_for_staff(
    consultation_id: ConsultationId, _: StaffOnly, desk: Consultations
) -> dict[str, object]:
    """The results so far (or as published): counts per answer, % agreeing, scrubbed comments."""
    found = await desk.results(consultation_id)
    if found is None:
        raise _unknown_consultation()
    consultation, results = found
    return {
        **_consultation_json(desk, consultation),
        "results": consultation.published_results or results_json(results),
    }


@router.post("/v1/consultations/{consultation_id}/publish", tags=["consultations"])
async def publish_consultation(
    request: Request, consultation_id: ConsultationId, _: ManagerOnly, desk: Consultations
) -> dict[str, object]:
    """Publish the anonymised results and close the consultation; 409 if already published."""
    try:
        consultation = await desk.publish(consultation_id, request_now(request))
    except AlreadyPublishedError as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="These results are already published."
        ) from error
    if consultation is None:
        raise _unknown_consultation()
    return {**_consultation_json(desk, consultation), "results": consultation.published_results}
