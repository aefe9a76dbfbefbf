"""Surveys: opened when a case closes, answered (or opted out of) through the survey link.

- `SurveyOpening.case_closed`: a closed case gets one survey for the complainant and, when staff
  have recorded a survey contact for the organisation investigated, one for the organisation,
  both scheduled by the domain. A review sends the case back to closed without a second
  `redress.case.closed`; should one arrive anyway (a redelivery under a new id, an older
  producer), the reference already has its surveys.
- `SurveyDesk`: answering and opting out, for the HTML pages and the JSON API alike.

Invitations, the reminder and expiry are the scheduler's (invitations.py).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.feedback.domain import (
    AddWorkingDays,
    FeedbackRules,
    Respondent,
    StoredResponse,
    Submitted,
    SurveyStatus,
    checked_answers,
    invitation_schedule,
    questions_for,
    scrub_free_text,
    status_of,
)
from services.feedback.store import FeedbackStores
from shared.events import CaseClosed, ClosureReason, FeedbackSubmitted, Sector
from shared.kit.work import UnitOfWork, Work
from shared.topics import FEEDBACK_RESPONSES

# 32 random bytes, URL-safe: as unguessable as a tracking token (shared/auth.py).
SURVEY_TOKEN_BYTES = 32


def new_survey_token() -> str:
    return secrets.token_urlsafe(SURVEY_TOKEN_BYTES)


class SurveyClosedError(Exception):
    def __init__(self, status: SurveyStatus) -> None:
        super().__init__(status.value)
        self.status = status


@dataclass(frozen=True)
class SurveyOpening:
    """The surveys a closed case gets (the consumer runs it in the inbox's transaction)."""

    rules: FeedbackRules
    add_working_days: AddWorkingDays

    async def case_closed(self, work: Work[FeedbackStores], closed: CaseClosed) -> None:
        stores = work.stores
        respondents: list[Respondent] = ["complainant"]
        if await stores.contacts.get(closed.organisation.name) is not None:
            respondents.append("organisation")
        schedule = invitation_schedule(closed.occurred_at, self.rules, self.add_working_days)
        for respondent in respondents:
            if await stores.surveys.exists_for(closed.reference, respondent):
                continue
            await stores.surveys.add(
                survey_id=str(uuid.uuid4()),
                reference=closed.reference,
                token=new_survey_token(),
                organisation=closed.organisation.name,
                sector=closed.organisation.sector.value,
                outcome=closed.closure_reason.value,
                closed_at=closed.occurred_at,
                schedule=schedule,
                respondent=respondent,
            )


@dataclass(frozen=True)
class SurveyDesk:
    uow: UnitOfWork[FeedbackStores]

    async def status(self, token: str, now: datetime) -> SurveyStatus:
        return (await self.lookup(token, now))[0]

    async def lookup(self, token: str, now: datetime) -> tuple[SurveyStatus, Respondent]:
        """Whether the link can be used, and who it was sent to (which questions to ask)."""
        async with self.uow.reading() as stores:
            survey = await stores.surveys.by_token(token)
        return status_of(survey, now), survey.respondent if survey else "complainant"

    async def submit(
        self, token: str, answers: Mapping[str, object], comments: str | None, now: datetime
    ) -> Submitted:
        """Store the answers and announce them, anonymised. Raises SurveyClosedError, or
        InvalidAnswersError naming each question that has a problem."""
        async with self.uow.transaction() as work:
            surveys = work.stores.surveys
            survey = await surveys.by_token(token, for_update=True)
            status = status_of(survey, now)
            if status is not SurveyStatus.OPEN or survey is None:
                raise SurveyClosedError(status)
            scores, text = checked_answers(answers, comments, questions_for(survey.respondent))
            submitted = Submitted(str(uuid.uuid4()), now)
            scrubbed = None if text is None else scrub_free_text(text)
            await surveys.mark(survey.survey_id, answered_at=now)
            await work.stores.responses.add(
                StoredResponse(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent=survey.respondent,
                    sector=survey.sector,
                    outcome=survey.outcome,
                    answers=scores,
                    comments=scrubbed,
                )
            )
            await work.emit(
                FEEDBACK_RESPONSES,
                FeedbackSubmitted(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent=survey.respondent,
                    sector=Sector(survey.sector),
                    outcome=ClosureReason(survey.outcome),
                    answers=scores,
                    comments=scrubbed,
                ),
                # Never the case reference: the answers are anonymous.
                subject=submitted.response_id,
            )
        return submitted

    async def opt_out(self, token: str, now: datetime) -> SurveyStatus:
        """Stop every further message for this survey. Unknown tokens answer UNKNOWN."""
        async with self.uow.transaction() as work:
            surveys = work.stores.surveys
            survey = await surveys.by_token(token, for_update=True)
            if survey is None:
                return SurveyStatus.UNKNOWN
            if survey.state.opted_out_at is None:
                await surveys.mark(survey.survey_id, opted_out_at=now)
            return status_of(survey, now)
