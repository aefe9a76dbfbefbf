"""Feedback's HTTP routes: the survey page and API, opting out, the staff summary,
organisations' survey contacts, and open consultations.

The survey link's token is the only credential: anyone holding the link may answer once. Pages
for a link that cannot be used (unknown, expired, answered) are all the same 404 page, so a link
reveals nothing; the JSON API tells a client which case it is (404, 410, 409) as
docs/design.md §5 asks.
A consultation's address is public by design: anyone may answer while it is open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from services.feedback.domain import (
    COMMENTS_MAX_CHARS,
    CONSULTATION_MAX_QUESTIONS,
    CONSULTATION_TITLE_MAX_CHARS,
    ORGANISATION_NAME_MAX_CHARS,
    QUESTION_MAX_CHARS,
    SCALE,
    SURVEY_QUESTIONS,
    InvalidAnswersError,
    InvalidConsultationError,
    InvalidContactError,
    Question,
    Respondent,
    agree_percentage,
    contact_email,
    organisation_key,
    questions_for,
)
from services.feedback.handlers import (
    AlreadyPublishedError,
    ConsultationClosedError,
    ConsultationDesk,
    ConsultationStatus,
    SurveyClosedError,
    SurveyDesk,
    SurveyStatus,
    consultation_status,
    results_json,
)
from services.feedback.store import (
    Consultation,
    ContactStore,
    OrganisationContact,
    ResponseStore,
    StoredResponse,
)
from shared.app import Service, request_now
from shared.auth import Role, StaffUser, staff_auth
from shared.bounds import QueryDate, bounded_date, field_error
from shared.crypto import Cipher
from shared.kit.i18n import LocalisedTemplates
from shared.text import single_line
from shared.timekeeping import uk_date

# Survey and consultation pages in Welsh or English (shared/kit/i18n.py, docs/welsh.md); what
# staff wrote (a consultation's title and questions) is shown as written.
TEMPLATES = LocalisedTemplates.load(
    Path(__file__).parent / "templates", Path(__file__).parent / "locale"
)

router = APIRouter()

# Survey tokens are 43 URL-safe characters (handlers.SURVEY_TOKEN_BYTES); anything far longer
# is not a token and is refused before it reaches the database.
MAX_TOKEN_LENGTH = 100
# "Agree" is a score of 4 or 5 on the five-point scale: top-2-box
# (docs/reference/domain-rules.md §3).
AGREE_MIN_SCORE = 4

Token = Annotated[str, PathParam(max_length=MAX_TOKEN_LENGTH)]

_JSON_STATUS = {
    SurveyStatus.UNKNOWN: (status.HTTP_404_NOT_FOUND, "There is no survey at this address."),
    SurveyStatus.EXPIRED: (status.HTTP_410_GONE, "This survey has closed."),
    SurveyStatus.ANSWERED: (status.HTTP_409_CONFLICT, "This survey has already been answered."),
}


def _desk(request: Request) -> SurveyDesk:
    desk: SurveyDesk = request.app.state.desk
    return desk


def _consultations(request: Request) -> ConsultationDesk:
    desk: ConsultationDesk = request.app.state.consultations
    return desk


def _cipher(request: Request) -> Cipher:
    cipher: Cipher = request.app.state.cipher
    return cipher


Desk = Annotated[SurveyDesk, Depends(_desk)]
Consultations = Annotated[ConsultationDesk, Depends(_consultations)]
StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
# Organisation contacts and publishing results are a manager's decision (admins too).
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]


# --------------------------------------------------------------------------------------------
# Pages.
# --------------------------------------------------------------------------------------------


def _page(
    template: str, status_code: int = 200, request: Request | None = None, **context: Any
) -> HTMLResponse:
    """A page; with the `request`, in its language and with the language switch."""
    if request is not None:
        return TEMPLATES.page(request, template, status_code, **context)
    return HTMLResponse(TEMPLATES.render("en", template, **context), status_code)


def _form_context(
    questions: Sequence[Question],
    answers: Mapping[str, object] | None,
    comments: str,
    errors: Mapping[str, str] | None,
) -> dict[str, Any]:
    redisplayed = {
        key: int(value)
        for key, value in (answers or {}).items()
        if isinstance(value, str) and value.isdecimal()
    }
    return {
        "questions": questions,
        "scale": SCALE,
        "answers": redisplayed,
        "comments": comments,
        "errors": dict(errors or {}),
        "comments_max_chars": COMMENTS_MAX_CHARS,
    }


def _survey_page(
    request: Request,
    respondent: Respondent = "complainant",
    answers: Mapping[str, object] | None = None,
    comments: str = "",
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = _form_context(questions_for(respondent), answers, comments, errors)
    return _page("survey.html", status_code, request, respondent=respondent, **context)


def _form_fields(form: Mapping[str, object]) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _answers_in(fields: Mapping[str, str], questions: Sequence[Question]) -> dict[str, str]:
    return {q.question_id: fields[q.question_id] for q in questions if q.question_id in fields}


def _closed_page(request: Request) -> HTMLResponse:
    return _page("expired.html", status.HTTP_404_NOT_FOUND, request)


@router.get("/survey/{token}", tags=["survey"], response_class=HTMLResponse)
async def survey_page(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """The survey form (it posts to this same address)."""
    status_now, respondent = await desk.lookup(token, request_now(request))
    if status_now is not SurveyStatus.OPEN:
        return _closed_page(request)
    return _survey_page(request, respondent)


@router.post("/survey/{token}", tags=["survey"], response_class=HTMLResponse)
async def survey_form_post(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """The form's answers, or its opt-out button (`action=opt_out`)."""
    fields = _form_fields(await request.form())
    if fields.get("action") == "opt_out":
        return await _opt_out_page(request, token, desk)
    _status, respondent = await desk.lookup(token, request_now(request))
    answers = _answers_in(fields, questions_for(respondent))
    comments = fields.get("comments", "")
    try:
        await desk.submit(token, answers, comments, request_now(request))
    except SurveyClosedError:
        return _closed_page(request)
    except InvalidAnswersError as error:
        return _survey_page(
            request,
            respondent,
            answers,
            comments,
            error.errors,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return _page("thanks.html", request=request, opted_out=False)


@router.post("/survey/{token}/opt-out", tags=["survey"], response_class=HTMLResponse)
async def opt_out_page(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """Stop the reminder and any other message about this survey."""
    return await _opt_out_page(request, token, desk)


async def _opt_out_page(request: Request, token: str, desk: SurveyDesk) -> HTMLResponse:
    if await desk.opt_out(token, request_now(request)) is SurveyStatus.UNKNOWN:
        return _closed_page(request)
    return _page("thanks.html", request=request, opted_out=True)


# --------------------------------------------------------------------------------------------
# JSON API.
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


percentage = agree_percentage


def question_summary(
    answer_sets: Iterable[Mapping[str, int]], questions: Sequence[Question] = SURVEY_QUESTIONS
) -> dict[str, dict[str, object]]:
    """Per question, in survey order: how many answered it, how many agreed, % agree."""
    answered: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    for answers in answer_sets:
        for question_id, score in answers.items():
            answered[question_id] += 1
            agreed[question_id] += score >= AGREE_MIN_SCORE
    return {
        question.question_id: {
            "text": question.text,
            "answered": answered[question.question_id],
            "agree": agreed[question.question_id],
            "agree_pct": percentage(agreed[question.question_id], answered[question.question_id]),
        }
        for question in questions
        if answered[question.question_id]
    }


def summarise(
    responses: Sequence[StoredResponse], questions: Sequence[Question] = SURVEY_QUESTIONS
) -> dict[str, object]:
    """Counts and % agree per question, overall and by outcome (satisfaction tracks the outcome,
    so PSOW reports it side by side: docs/reference/domain-rules.md §3)."""
    outcomes = sorted({response.outcome or "unknown" for response in responses})
    return {
        "responses": len(responses),
        "by_question": question_summary((r.answers for r in responses), questions),
        "by_outcome": {
            outcome: {
                "responses": sum((r.outcome or "unknown") == outcome for r in responses),
                "by_question": question_summary(
                    (r.answers for r in responses if (r.outcome or "unknown") == outcome),
                    questions,
                ),
            }
            for outcome in outcomes
        },
    }


@router.get("/v1/feedback/summary", tags=["feedback"])
async def feedback_summary(
    request: Request,
    _: StaffOnly,
    period_from: Annotated[QueryDate | None, Query(alias="from")] = None,
    to: Annotated[QueryDate | None, Query()] = None,
    respondent: Annotated[Respondent, Query()] = "complainant",
) -> dict[str, object]:
    """Complainants' (or, with `respondent=organisation`, organisations') answers in a period
    (default: everything so far), for staff: unsuppressed."""
    today = request_now(request).date()
    period_from = bounded_date("from", period_from)
    end_day = bounded_date("to", to) or today
    start = datetime.combine(period_from or date.min, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    service: Service = request.app.state.service
    async with service.db.sessions() as session:
        responses = await ResponseStore(session).between(start, end, respondent)
    summary = summarise(responses, questions_for(respondent))
    summary["respondent"] = respondent
    summary["period"] = {
        "from": period_from.isoformat() if period_from else None,
        "to": end_day.isoformat(),
    }
    return summary


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
    request: Request, name: OrganisationName, body: ContactBody, user: ManagerOnly
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
    service: Service = request.app.state.service
    async with service.db.transaction() as session:
        await ContactStore(session, _cipher(request)).put(contact)
    return JSONResponse(_contact_json(contact))


@router.get("/v1/organisations/{name:path}/contact", tags=["organisations"])
async def get_contact(
    request: Request, name: OrganisationName, _: ManagerOnly
) -> dict[str, object]:
    """The organisation's survey contact (404 if none)."""
    service: Service = request.app.state.service
    async with service.db.sessions() as session:
        contact = await ContactStore(session, _cipher(request)).get(_checked_name(name))
    if contact is None:
        raise _no_contact()
    return _contact_json(contact)


@router.delete("/v1/organisations/{name:path}/contact", tags=["organisations"], status_code=204)
async def delete_contact(request: Request, name: OrganisationName, _: ManagerOnly) -> None:
    """Stop surveying the organisation: no new surveys, and no more invitations or reminders."""
    service: Service = request.app.state.service
    async with service.db.transaction() as session:
        removed = await ContactStore(session, _cipher(request)).remove(_checked_name(name))
    if not removed:
        raise _no_contact()


# --------------------------------------------------------------------------------------------
# Open consultations.
# --------------------------------------------------------------------------------------------

ConsultationId = Annotated[str, PathParam(max_length=36)]


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


def _consultation_page(
    request: Request,
    consultation: Consultation,
    answers: Mapping[str, object] | None = None,
    comments: str = "",
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = _form_context(consultation.questions, answers, comments, errors)
    return _page(
        "consultation.html",
        status_code,
        request,
        title=consultation.title,
        closes_on=consultation.closes_on,
        **context,
    )


def _consultation_closed_page(request: Request) -> HTMLResponse:
    return _page("consultation_closed.html", status.HTTP_404_NOT_FOUND, request)


@router.get("/consultations/{consultation_id}", tags=["consultations"], response_class=HTMLResponse)
async def consultation_page(
    request: Request, consultation_id: ConsultationId, desk: Consultations
) -> HTMLResponse:
    """The consultation's form (it posts to this same address); 404 once closed."""
    consultation = await desk.find(consultation_id)
    if consultation_status(consultation, request_now(request)) is not ConsultationStatus.OPEN:
        return _consultation_closed_page(request)
    assert consultation is not None
    return _consultation_page(request, consultation)


@router.post(
    "/consultations/{consultation_id}", tags=["consultations"], response_class=HTMLResponse
)
async def consultation_form_post(
    request: Request, consultation_id: ConsultationId, desk: Consultations
) -> HTMLResponse:
    """The form's answers."""
    consultation = await desk.find(consultation_id)
    if consultation is None:
        return _consultation_closed_page(request)
    fields = _form_fields(await request.form())
    answers = _answers_in(fields, consultation.questions)
    comments = fields.get("comments", "")
    try:
        await desk.answer(consultation_id, answers, comments, request_now(request))
    except ConsultationClosedError:
        return _consultation_closed_page(request)
    except InvalidAnswersError as error:
        return _consultation_page(
            request,
            consultation,
            answers,
            comments,
            error.errors,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return _page("consultation_thanks.html", request=request, title=consultation.title)


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


@router.get(
    "/consultations/{consultation_id}/results",
    tags=["consultations"],
    response_class=HTMLResponse,
)
async def published_results_page(
    request: Request, consultation_id: ConsultationId, desk: Consultations
) -> HTMLResponse:
    """The published results, public; 404 until they are published."""
    consultation = await desk.find(consultation_id)
    if consultation is None or consultation.published_at is None:
        return _consultation_closed_page(request)
    return _page(
        "consultation_results.html",
        request=request,
        title=consultation.title,
        published_on=uk_date(consultation.published_at),
        results=consultation.published_results,
        scale=SCALE,
    )
