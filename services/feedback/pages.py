"""Feedback's HTML pages: the survey form (and opting out), and a consultation's form and its
published results. The JSON API is in api.py.

The survey link's token is the only credential: anyone holding the link may answer once. Pages
for a link that cannot be used (unknown, expired, answered) are all the same 404 page, so a link
reveals nothing.
A consultation's address is public by design: anyone may answer while it is open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from services.feedback.api import ConsultationId, Consultations, Desk, Token
from services.feedback.consultations import ConsultationClosedError
from services.feedback.domain import (
    COMMENTS_MAX_CHARS,
    SCALE,
    Consultation,
    InvalidAnswersError,
    Question,
    Respondent,
    SurveyStatus,
    questions_for,
)
from services.feedback.surveys import SurveyClosedError, SurveyDesk
from shared.app import request_now
from shared.kit.i18n import LocalisedTemplates
from shared.timekeeping import uk_date

# Survey and consultation pages in Welsh or English (shared/kit/i18n.py, docs/welsh.md); what
# staff wrote (a consultation's title and questions) is shown as written.
TEMPLATES = LocalisedTemplates.load(
    Path(__file__).parent / "templates", Path(__file__).parent / "locale"
)

router = APIRouter()


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
    consultation = await desk.taking_answers(consultation_id, request_now(request))
    if consultation is None:
        return _consultation_closed_page(request)
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


@router.get(
    "/consultations/{consultation_id}/results",
    tags=["consultations"],
    response_class=HTMLResponse,
)
async def published_results_page(
    request: Request, consultation_id: ConsultationId, desk: Consultations
) -> HTMLResponse:
    """The published results, public; 404 until they are published."""
    consultation = await desk.published(consultation_id)
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
