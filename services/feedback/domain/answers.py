"""Answers to a survey or a consultation: checking them, and counting who agreed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from services.feedback.domain.questions import (
    COMMENTS_MAX_CHARS,
    COMMENTS_TOO_LONG,
    SCALE,
    SCALE_MAX,
    SCALE_MIN,
    SURVEY_QUESTIONS,
    Question,
)


class InvalidAnswersError(ValueError):
    """The answers could not be accepted; `errors` maps each question id to a clear message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


_SKIPPED = (None, "")
_ANSWERS_KEY = "answers"


def _score(value: object) -> int | None:
    """An integer score from JSON (int) or a form post (a string of digits); None if neither."""
    if isinstance(value, bool):
        return None  # True == 1 in Python, but it is not an answer on the scale
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
        return int(value.strip())
    return None


def validate_answers(
    answers: Mapping[str, object], questions: Sequence[Question] = SURVEY_QUESTIONS
) -> dict[str, int]:
    """Checked scores keyed by question id, in survey order. Every question is optional (a
    person may skip any), but at least one must be answered. Raises InvalidAnswersError."""
    known = {question.question_id for question in questions}
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    for question_id, value in answers.items():
        if question_id not in known:
            errors[question_id] = "This is not a question in this survey."
            continue
        if value in _SKIPPED:
            continue
        score = _score(value)
        if score is None or not SCALE_MIN <= score <= SCALE_MAX:
            errors[question_id] = (
                f"Choose an answer from {SCALE_MIN} ({SCALE[0][1].lower()}) to "
                f"{SCALE_MAX} ({SCALE[-1][1].lower()})."
            )
            continue
        scores[question_id] = score
    if not errors and not scores:
        errors[_ANSWERS_KEY] = "Answer at least one question."
    if errors:
        raise InvalidAnswersError(errors)
    order = {question.question_id: index for index, question in enumerate(questions)}
    return dict(sorted(scores.items(), key=lambda item: order[item[0]]))


def check_comments(comments: str | None) -> str | None:
    """Comments trimmed, or None if empty; raises InvalidAnswersError when too long."""
    text = (comments or "").strip()
    if len(text) > COMMENTS_MAX_CHARS:
        raise InvalidAnswersError({"comments": COMMENTS_TOO_LONG.format(count=COMMENTS_MAX_CHARS)})
    return text or None


def checked_answers(
    answers: Mapping[str, object], comments: str | None, questions: Sequence[Question]
) -> tuple[dict[str, int], str | None]:
    """Scores and trimmed comments; InvalidAnswersError lists every problem at once."""
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    text: str | None = None
    try:
        scores = validate_answers(answers, questions)
    except InvalidAnswersError as error:
        errors |= error.errors
    try:
        text = check_comments(comments)
    except InvalidAnswersError as error:
        errors |= error.errors
    if errors:
        raise InvalidAnswersError(errors)
    return scores, text


@dataclass(frozen=True)
class Submitted:
    response_id: str
    submitted_at: datetime


@dataclass(frozen=True)
class StoredResponse:
    """One anonymous response: nothing in it leads back to the case or the person."""

    response_id: str
    submitted_at: datetime
    respondent: str
    sector: str | None
    outcome: str | None
    answers: dict[str, int]
    comments: str | None
    consultation_id: str | None = None


# --------------------------------------------------------------------------------------------
# Counting agreement: the staff summary and consultation results.
# --------------------------------------------------------------------------------------------


def agree_percentage(numerator: int, denominator: int) -> float | None:
    """To one decimal place, halves rounded up (as the reports service publishes them)."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# "Agree" is a score of 4 or 5 on the five-point scale: top-2-box
# (docs/reference/domain-rules.md §3).
AGREE_MIN_SCORE = 4


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
            "agree_pct": agree_percentage(
                agreed[question.question_id], answered[question.question_id]
            ),
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
