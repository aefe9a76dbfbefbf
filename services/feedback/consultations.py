"""Open consultations: set up by staff, answered by anyone through a public link, and their
anonymised results published (after which they are final)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from services.feedback.domain import (
    Consultation,
    ConsultationResults,
    ConsultationStatus,
    InvalidConsultationError,
    Question,
    StoredResponse,
    Submitted,
    check_consultation,
    checked_answers,
    consultation_questions,
    consultation_results,
    consultation_status,
    results_json,
    scrub_free_text,
)
from services.feedback.store import FeedbackStores
from shared.events import ConsultationPublished, ConsultationQuestionResult, FeedbackSubmitted
from shared.kit.work import UnitOfWork
from shared.timekeeping import uk_date
from shared.topics import FEEDBACK_RESPONSES

log = logging.getLogger("redress.feedback")


class ConsultationClosedError(Exception):
    def __init__(self, status: ConsultationStatus) -> None:
        super().__init__(status.value)
        self.status = status


class AlreadyPublishedError(Exception):
    """The results were published before; published results are final."""


@dataclass(frozen=True)
class ConsultationDesk:
    uow: UnitOfWork[FeedbackStores]
    public_url: str

    def page_url(self, consultation_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/consultations/{consultation_id}"

    def results_url(self, consultation_id: str) -> str:
        return f"{self.page_url(consultation_id)}/results"

    async def create(
        self,
        *,
        title: str,
        questions: Sequence[str] | None,
        closes_on: date,
        created_by: str,
        now: datetime,
    ) -> Consultation:
        """Raises InvalidConsultationError naming each field that has a problem."""
        errors: dict[str, str] = {}
        checked_title = title
        asked: tuple[Question, ...] = ()
        try:
            checked_title = check_consultation(title, closes_on, uk_date(now))
        except InvalidConsultationError as error:
            errors |= error.errors
        try:
            asked = consultation_questions(questions)
        except InvalidConsultationError as error:
            errors |= error.errors
        if errors:
            raise InvalidConsultationError(errors)
        consultation = Consultation(
            consultation_id=str(uuid.uuid4()),
            title=checked_title,
            questions=asked,
            closes_on=closes_on,
            created_at=now,
            created_by=created_by,
        )
        async with self.uow.transaction() as work:
            await work.stores.consultations.add(consultation)
        log.info("consultation %s created", consultation.consultation_id)
        return consultation

    async def find(self, consultation_id: str) -> Consultation | None:
        async with self.uow.reading() as stores:
            return await stores.consultations.get(consultation_id)

    async def taking_answers(self, consultation_id: str, now: datetime) -> Consultation | None:
        """The consultation if it takes answers at `now`; None if unknown or closed."""
        consultation = await self.find(consultation_id)
        if consultation_status(consultation, uk_date(now)) is not ConsultationStatus.OPEN:
            return None
        return consultation

    async def published(self, consultation_id: str) -> Consultation | None:
        """The consultation once its results are published; None before (or if unknown)."""
        consultation = await self.find(consultation_id)
        if consultation is None or consultation.published_at is None:
            return None
        return consultation

    async def listing(self) -> list[Consultation]:
        async with self.uow.reading() as stores:
            return await stores.consultations.listing()

    async def answer(
        self,
        consultation_id: str,
        answers: Mapping[str, object],
        comments: str | None,
        now: datetime,
    ) -> Submitted:
        """Store one anonymous response and announce it. Raises ConsultationClosedError, or
        InvalidAnswersError naming each question that has a problem."""
        async with self.uow.transaction() as work:
            consultation = await work.stores.consultations.get(consultation_id)
            status = consultation_status(consultation, uk_date(now))
            if status is not ConsultationStatus.OPEN or consultation is None:
                raise ConsultationClosedError(status)
            scores, text = checked_answers(answers, comments, consultation.questions)
            submitted = Submitted(str(uuid.uuid4()), now)
            scrubbed = None if text is None else scrub_free_text(text)
            await work.stores.responses.add(
                StoredResponse(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent="consultation",
                    sector=None,
                    outcome=None,
                    answers=scores,
                    comments=scrubbed,
                    consultation_id=consultation_id,
                )
            )
            await work.emit(
                FEEDBACK_RESPONSES,
                FeedbackSubmitted(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent="consultation",
                    answers=scores,
                    comments=scrubbed,
                    consultation_id=consultation_id,
                ),
                subject=submitted.response_id,
            )
        return submitted

    async def results(
        self, consultation_id: str
    ) -> tuple[Consultation, ConsultationResults] | None:
        async with self.uow.reading() as stores:
            consultation = await stores.consultations.get(consultation_id)
            if consultation is None:
                return None
            answers = await stores.responses.for_consultation(consultation_id)
        return consultation, consultation_results(consultation.questions, answers)

    async def publish(self, consultation_id: str, now: datetime) -> Consultation | None:
        """Publish the anonymised results (closing the consultation); None if unknown. Raises
        AlreadyPublishedError the second time."""
        async with self.uow.transaction() as work:
            store = work.stores.consultations
            consultation = await store.get(consultation_id, for_update=True)
            if consultation is None:
                return None
            if consultation.published_at is not None:
                raise AlreadyPublishedError(consultation_id)
            answers = await work.stores.responses.for_consultation(consultation_id)
            results = consultation_results(consultation.questions, answers)
            snapshot = results_json(results)
            await store.mark_published(consultation_id, now, snapshot)
            await work.emit(
                FEEDBACK_RESPONSES,
                ConsultationPublished(
                    consultation_id=consultation_id,
                    title=consultation.title,
                    closes_on=consultation.closes_on,
                    published_at=now,
                    url=self.results_url(consultation_id),
                    responses=results.responses,
                    questions=[
                        ConsultationQuestionResult(
                            question_id=question.question_id,
                            text=question.text,
                            answered=question.answered,
                            counts={str(score): n for score, n in question.counts.items()},
                            agree_pct=question.agree_pct,
                        )
                        for question in results.questions
                    ],
                    comments=list(results.comments),
                ),
                subject=consultation_id,
            )
        log.info("consultation %s published", consultation_id)
        return replace(consultation, published_at=now, published_results=snapshot)
