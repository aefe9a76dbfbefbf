"""Feedback and reports: survey invitations, anonymised answers and what gets published."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.events.vocabulary import ClosureReason, Payload, Sector


class SurveyInvited(Payload):
    survey_id: str
    reference: str
    invited_at: AwareDatetime
    expires_at: AwareDatetime
    reminder: bool = False
    # Who was asked: the complainant, or the organisation investigated (its own survey).
    respondent: Literal["complainant", "organisation"] = "complainant"


AnswerScore = Annotated[int, Field(ge=1, le=5)]


class FeedbackSubmitted(Payload):
    """Anonymised answers: no reference, no name; free text already scrubbed."""

    response_id: str
    submitted_at: AwareDatetime
    respondent: Literal["complainant", "organisation", "consultation"] = "complainant"
    sector: Sector | None = None
    outcome: ClosureReason | None = None
    answers: dict[str, AnswerScore]
    comments: str | None = None
    # Set for respondent "consultation": which open consultation the answers are for.
    consultation_id: str | None = None


class ConsultationQuestionResult(Payload):
    question_id: str
    text: str
    answered: int
    # Answers per score on the five-point scale, keyed "1" to "5".
    counts: dict[str, int]
    agree_pct: float | None = None


class ConsultationPublished(Payload):
    """`redress.consultation.published`: an open consultation's anonymised results, published.

    Counts per answer, % agreeing (4 or 5) and the comments, already scrubbed of personal details.
    """

    consultation_id: str
    title: str
    closes_on: date
    published_at: AwareDatetime
    url: str
    responses: int
    questions: list[ConsultationQuestionResult]
    comments: list[str] = Field(default_factory=list)


class ReportPublished(Payload):
    report_id: str
    title: str
    period_from: date
    period_to: date
    url: str
    published_at: AwareDatetime
