"""Feedback's HTTP routes: the survey page and API, opting out, and the staff summary.

The survey link's token is the only credential: anyone holding the link may answer once. Pages
for a link that cannot be used (unknown, expired, answered) are all the same 404 page, so a link
reveals nothing; the JSON API tells a client which case it is (404, 410, 409) as DESIGN asks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

from services.feedback.domain import (
    COMMENTS_MAX_CHARS,
    SCALE,
    SURVEY_QUESTIONS,
    InvalidAnswersError,
)
from services.feedback.handlers import SurveyClosedError, SurveyDesk, SurveyStatus
from services.feedback.store import ResponseStore, StoredResponse
from shared.app import Service
from shared.auth import StaffUser, staff_auth

TEMPLATES = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)

router = APIRouter()

# Survey tokens are 43 URL-safe characters (handlers.SURVEY_TOKEN_BYTES); anything far longer
# is not a token and is refused before it reaches the database.
MAX_TOKEN_LENGTH = 100
# "Agree" is a score of 4 or 5 on the five-point scale: top-2-box (domain-rules section 3).
AGREE_MIN_SCORE = 4

Token = Annotated[str, PathParam(max_length=MAX_TOKEN_LENGTH)]

_JSON_STATUS = {
    SurveyStatus.UNKNOWN: (status.HTTP_404_NOT_FOUND, "There is no survey at this address."),
    SurveyStatus.EXPIRED: (status.HTTP_410_GONE, "This survey has closed."),
    SurveyStatus.ANSWERED: (status.HTTP_409_CONFLICT, "This survey has already been answered."),
}


def _secret(request: Request) -> str:
    return str(request.app.state.service.settings.auth_secret_value)


def _desk(request: Request) -> SurveyDesk:
    desk: SurveyDesk = request.app.state.desk
    return desk


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


Desk = Annotated[SurveyDesk, Depends(_desk)]
StaffOnly = Annotated[StaffUser, Depends(staff_auth(_secret))]


# --------------------------------------------------------------------------------------------
# Pages.
# --------------------------------------------------------------------------------------------


def _page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(template).render(**context), status_code)


def _survey_page(
    answers: Mapping[str, object] | None = None,
    comments: str = "",
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    redisplayed = {
        key: int(value)
        for key, value in (answers or {}).items()
        if isinstance(value, str) and value.isdecimal()
    }
    return _page(
        "survey.html",
        status_code,
        questions=SURVEY_QUESTIONS,
        scale=SCALE,
        answers=redisplayed,
        comments=comments,
        errors=dict(errors or {}),
        comments_max_chars=COMMENTS_MAX_CHARS,
    )


def _closed_page() -> HTMLResponse:
    return _page("expired.html", status.HTTP_404_NOT_FOUND)


@router.get("/survey/{token}", tags=["survey"], response_class=HTMLResponse)
async def survey_page(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """The survey form (it posts to this same address)."""
    if await desk.status(token, _now(request)) is not SurveyStatus.OPEN:
        return _closed_page()
    return _survey_page()


@router.post("/survey/{token}", tags=["survey"], response_class=HTMLResponse)
async def survey_form_post(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """The form's answers, or its opt-out button (`action=opt_out`)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if fields.get("action") == "opt_out":
        return await _opt_out_page(request, token, desk)
    answers = {
        question.question_id: fields[question.question_id]
        for question in SURVEY_QUESTIONS
        if question.question_id in fields
    }
    comments = fields.get("comments", "")
    try:
        await desk.submit(token, answers, comments, _now(request))
    except SurveyClosedError:
        return _closed_page()
    except InvalidAnswersError as error:
        return _survey_page(answers, comments, error.errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return _page("thanks.html", opted_out=False)


@router.post("/survey/{token}/opt-out", tags=["survey"], response_class=HTMLResponse)
async def opt_out_page(request: Request, token: Token, desk: Desk) -> HTMLResponse:
    """Stop the reminder and any other message about this survey."""
    return await _opt_out_page(request, token, desk)


async def _opt_out_page(request: Request, token: str, desk: SurveyDesk) -> HTMLResponse:
    if await desk.opt_out(token, _now(request)) is SurveyStatus.UNKNOWN:
        return _closed_page()
    return _page("thanks.html", opted_out=True)


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
        submitted = await desk.submit(token, body.answers, body.comments, _now(request))
    except SurveyClosedError as error:
        code, message = _JSON_STATUS[error.status]
        return JSONResponse({"error": message}, status_code=code)
    except InvalidAnswersError as error:
        fields = [
            {"field": _field_name(key), "message": message} for key, message in error.errors.items()
        ]
        return JSONResponse(
            {"error": "The answers have problems; see fields.", "fields": fields},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return JSONResponse(
        {
            "response_id": submitted.response_id,
            "submitted_at": submitted.submitted_at.astimezone(UTC).isoformat(),
        },
        status_code=status.HTTP_201_CREATED,
    )


@router.post("/v1/surveys/{token}/opt-out", tags=["survey"], status_code=204)
async def opt_out(request: Request, token: Token, desk: Desk) -> None:
    """No more messages about this survey (404 for an unknown token)."""
    if await desk.opt_out(token, _now(request)) is SurveyStatus.UNKNOWN:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no survey at this address.")


# --------------------------------------------------------------------------------------------
# Staff summary.
# --------------------------------------------------------------------------------------------


def percentage(numerator: int, denominator: int) -> float | None:
    """To one decimal place, halves rounded up (as the reports service publishes them)."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def question_summary(answer_sets: Iterable[Mapping[str, int]]) -> dict[str, dict[str, object]]:
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
        for question in SURVEY_QUESTIONS
        if answered[question.question_id]
    }


def summarise(responses: Sequence[StoredResponse]) -> dict[str, object]:
    """Counts and % agree per question, overall and by outcome (satisfaction tracks the outcome,
    so PSOW reports it side by side: domain-rules section 3)."""
    outcomes = sorted({response.outcome or "unknown" for response in responses})
    return {
        "responses": len(responses),
        "by_question": question_summary(response.answers for response in responses),
        "by_outcome": {
            outcome: {
                "responses": sum((r.outcome or "unknown") == outcome for r in responses),
                "by_question": question_summary(
                    r.answers for r in responses if (r.outcome or "unknown") == outcome
                ),
            }
            for outcome in outcomes
        },
    }


@router.get("/v1/feedback/summary", tags=["feedback"])
async def feedback_summary(
    request: Request,
    _: StaffOnly,
    period_from: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> dict[str, object]:
    """Complainants' answers in a period (default: everything so far), for staff: unsuppressed."""
    start = datetime.combine(period_from or date.min, datetime.min.time(), tzinfo=UTC)
    end_day = to or _now(request).date()
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    service: Service = request.app.state.service
    async with service.db.sessions() as session:
        responses = await ResponseStore(session).between(start, end, "complainant")
    summary = summarise(responses)
    summary["period"] = {
        "from": period_from.isoformat() if period_from else None,
        "to": end_day.isoformat(),
    }
    return summary
