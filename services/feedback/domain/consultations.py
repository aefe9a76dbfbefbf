"""Open consultations with a public link: their questions, when they take answers, the results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from services.feedback.domain.answers import AGREE_MIN_SCORE, agree_percentage
from services.feedback.domain.questions import SCALE, Question

# The default questions: one statement per commitment of the PHSO service charter
# (docs/reference/domain-rules.md §1.9, numbered as in its performance reports), worded for anyone
# who has used or looked at the service, so people can say which commitments we live up to.
CHARTER_QUESTIONS: tuple[Question, ...] = (
    Question("charter_01", "The Ombudsman explains its role and what it can and cannot do."),
    Question("charter_02", "The Ombudsman explains how it handles complaints and what it needs."),
    Question("charter_03", "If the Ombudsman cannot help, it points people to someone who can."),
    Question("charter_04", "The Ombudsman keeps people regularly updated."),
    Question("charter_05", "The Ombudsman listens to make sure it understands a complaint."),
    Question("charter_06", "The Ombudsman explains the specific concerns it will look into."),
    Question("charter_07", "The Ombudsman explains how it will do its work."),
    Question(
        "charter_08",
        "The Ombudsman gathers all the information it needs, from the complainant and the "
        "organisation, before deciding.",
    ),
    Question("charter_09", "The Ombudsman shares facts and discusses what it is seeing."),
    Question("charter_10", "The Ombudsman makes impartial decisions."),
    Question(
        "charter_11",
        "The Ombudsman explains its decisions and recommendations, and how it reached them.",
    ),
    Question("charter_12", "The Ombudsman treats people with courtesy and respect."),
    Question("charter_13", "The Ombudsman reaches a final decision as soon as it can."),
    Question(
        "charter_14",
        "The Ombudsman's service is easy to access, with support and help for those who need it.",
    ),
    Question("charter_15", "The Ombudsman looks after the information people give it."),
    Question("charter_16", "The Ombudsman listens to feedback and uses it to improve."),
    Question(
        "charter_17", "The Ombudsman apologises when it makes mistakes and puts things right."
    ),
    Question(
        "charter_18",
        "The Ombudsman publishes its performance regularly and reports to Parliament.",
    ),
)

# A consultation is a short questionnaire, not a research instrument: the charter's 18
# commitments are the longest set we offer, and a question is a sentence or two. Design
# choices, not sourced figures.
CONSULTATION_MAX_QUESTIONS = len(CHARTER_QUESTIONS)
QUESTION_MAX_CHARS = 300
CONSULTATION_TITLE_MAX_CHARS = 200


class InvalidConsultationError(ValueError):
    """The consultation cannot be set up; `errors` maps each field to a clear message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


def consultation_questions(texts: Sequence[str] | None) -> tuple[Question, ...]:
    """The questions of a new consultation: the charter's when none are given, else the texts in
    order, numbered `q1`, `q2`... Raises InvalidConsultationError naming the problem."""
    if texts is None:
        return CHARTER_QUESTIONS
    cleaned = [" ".join(text.split()) for text in texts]
    errors: dict[str, str] = {}
    if not cleaned:
        errors["questions"] = "Ask at least one question, or leave questions out for the charter's."
    elif len(cleaned) > CONSULTATION_MAX_QUESTIONS:
        errors["questions"] = f"Ask at most {CONSULTATION_MAX_QUESTIONS} questions."
    for index, text in enumerate(cleaned):
        if not text:
            errors[f"questions.{index}"] = "A question cannot be empty."
        elif len(text) > QUESTION_MAX_CHARS:
            errors[f"questions.{index}"] = f"Write no more than {QUESTION_MAX_CHARS} characters."
        elif text.casefold() in (earlier.casefold() for earlier in cleaned[:index]):
            errors[f"questions.{index}"] = "This question is already asked."
    if errors:
        raise InvalidConsultationError(errors)
    return tuple(Question(f"q{number}", text) for number, text in enumerate(cleaned, start=1))


def check_consultation(title: str, closes_on: date, today: date) -> str:
    """The title, tidied; raises InvalidConsultationError for an empty title or a closing date
    already past (a consultation closes at the end of its UK closing day)."""
    tidy = " ".join(title.split())
    errors: dict[str, str] = {}
    if not tidy:
        errors["title"] = "Give the consultation a title."
    elif len(tidy) > CONSULTATION_TITLE_MAX_CHARS:
        errors["title"] = f"Write no more than {CONSULTATION_TITLE_MAX_CHARS} characters."
    if closes_on < today:
        errors["closes_on"] = "The closing date cannot be in the past."
    if errors:
        raise InvalidConsultationError(errors)
    return tidy


def consultation_open(closes_on: date, today: date, *, published: bool) -> bool:
    """Whether answers are taken: up to the end of the closing day, and never once the results
    are published (published results are final)."""
    return not published and today <= closes_on


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    text: str
    counts: Mapping[int, int]  # every score on the scale, zeros included
    answered: int
    agree: int
    agree_pct: float | None


@dataclass(frozen=True, slots=True)
class ConsultationResults:
    responses: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]


class ConsultationAnswer(NamedTuple):
    answers: Mapping[str, int]
    comments: str | None


def consultation_results(
    questions: Sequence[Question], answers: Iterable[ConsultationAnswer]
) -> ConsultationResults:
    """Counts per score, how many answered and % agreeing for each question, in the order asked,
    and the comments (already scrubbed when stored) in the order given."""
    collected = list(answers)
    results = []
    for question in questions:
        scores = [
            a.answers[question.question_id] for a in collected if question.question_id in a.answers
        ]
        counts = Counter(scores)
        agree = sum(score >= AGREE_MIN_SCORE for score in scores)
        results.append(
            QuestionResult(
                question_id=question.question_id,
                text=question.text,
                counts={score: counts[score] for score, _label in SCALE},
                answered=len(scores),
                agree=agree,
                agree_pct=agree_percentage(agree, len(scores)),
            )
        )
    return ConsultationResults(
        responses=len(collected),
        questions=tuple(results),
        comments=tuple(a.comments for a in collected if a.comments),
    )


@dataclass(frozen=True)
class Consultation:
    consultation_id: str
    title: str
    questions: tuple[Question, ...]
    closes_on: date
    created_at: datetime
    created_by: str
    published_at: datetime | None = None
    published_results: dict[str, Any] | None = None


class ConsultationStatus(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    CLOSED = "closed"


def consultation_status(consultation: Consultation | None, today: date) -> ConsultationStatus:
    """Whether a consultation takes answers on `today` (a UK date)."""
    if consultation is None:
        return ConsultationStatus.UNKNOWN
    published = consultation.published_at is not None
    if consultation_open(consultation.closes_on, today, published=published):
        return ConsultationStatus.OPEN
    return ConsultationStatus.CLOSED


def results_json(results: ConsultationResults) -> dict[str, object]:
    """The results as JSON: the staff API, the stored snapshot and the public page share it."""
    return {
        "responses": results.responses,
        "questions": [
            {
                "id": question.question_id,
                "text": question.text,
                "answered": question.answered,
                "counts": {str(score): count for score, count in question.counts.items()},
                "agree": question.agree,
                "agree_pct": question.agree_pct,
            }
            for question in results.questions
        ],
        "comments": list(results.comments),
    }
