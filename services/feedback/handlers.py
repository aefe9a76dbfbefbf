"""Feedback's moving parts: the case-closed subscriber, the invitation scheduler, and answering.

- `on_case_closed`: a closed case gets one survey, scheduled by the domain. A review sends the
  case back to closed without a second `redress.case.closed`; should one arrive anyway (a
  redelivery under a new id, an older producer), the reference already has its survey.
- `run_due_surveys(now)`: invitations, the one reminder and expiry, as `domain.due_actions`
  decides, each survey in its own transaction with its outgoing events (outbox).
- `SurveyDesk`: answering and opting out, for the HTML pages and the JSON API alike.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.domain import (
    COMMENTS_MAX_CHARS,
    Action,
    FeedbackRules,
    InvalidAnswersError,
    due_actions,
    invitation_schedule,
    scrub_free_text,
    validate_answers,
)
from services.feedback.settings import FeedbackSettings
from services.feedback.store import ResponseStore, StoredResponse, Survey, SurveyStore
from shared.crypto import Cipher
from shared.db import Database
from shared.envelope import CloudEvent
from shared.events import (
    CaseClosed,
    ClosureReason,
    FeedbackSubmitted,
    NotificationRequested,
    Sector,
    SurveyInvited,
)
from shared.messaging import Handler, Messaging, PermanentEventError
from shared.timekeeping import uk_date
from shared.topics import FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS
from shared.working_days import add_working_days

log = logging.getLogger("redress.feedback")

CASE_CLOSED = "redress.case.closed"
INVITATION_TEMPLATE = "survey_invitation"
REMINDER_TEMPLATE = "survey_reminder"
REQUESTED_BY = "feedback"
# 32 random bytes, URL-safe: as unguessable as a tracking token (shared/auth.py).
SURVEY_TOKEN_BYTES = 32


def new_survey_token() -> str:
    return secrets.token_urlsafe(SURVEY_TOKEN_BYTES)


def on_case_closed(settings: FeedbackSettings, cipher: Cipher) -> Handler:
    rules = settings.rules
    add_days = partial(add_working_days, nation=settings.nation)

    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        try:
            closed = event.payload()
        except ValueError as error:
            raise PermanentEventError(str(error)) from error
        if not isinstance(closed, CaseClosed):
            raise PermanentEventError(f"{event.type} is not a case closure")
        store = SurveyStore(session, cipher)
        if await store.exists_for(closed.reference):
            return
        await store.add(
            survey_id=str(uuid.uuid4()),
            reference=closed.reference,
            token=new_survey_token(),
            organisation=closed.organisation.name,
            sector=closed.organisation.sector.value,
            outcome=closed.closure_reason.value,
            closed_at=closed.occurred_at,
            schedule=invitation_schedule(closed.occurred_at, rules, add_days),
        )

    return handle


# --------------------------------------------------------------------------------------------
# The scheduler.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduler:
    db: Database
    messaging: Messaging
    cipher: Cipher
    rules: FeedbackRules
    public_url: str

    def survey_url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/survey/{token}"

    async def run_due_surveys(self, now: datetime) -> list[tuple[str, Action]]:
        """Do what is due at `now`; returns (survey_id, action) for everything done."""
        async with self.db.sessions() as session:
            due = await SurveyStore(session, self.cipher).due_ids(now)
        done: list[tuple[str, Action]] = []
        for survey_id in due:
            action = await self._run_one(survey_id, now)
            if action is not None:
                done.append((survey_id, action))
        if done:
            self.messaging.committed()
        return done

    async def _run_one(self, survey_id: str, now: datetime) -> Action | None:
        async with self.db.transaction() as session:
            store = SurveyStore(session, self.cipher)
            survey = await store.lock(survey_id)
            if survey is None:
                return None
            actions = due_actions_for(survey, now, self.rules)
            if not actions:
                return None
            action = actions[0]
            if action == "expire":
                await store.mark(survey_id, expired_at=now)
            else:
                reminder = action == "remind"
                await self._send(session, survey, now, reminder=reminder)
                await store.mark(survey_id, **{"reminded_at" if reminder else "invited_at": now})
            log.info("survey %s: %s", survey_id, action, extra={"reference": survey.reference})
            return action

    async def _send(
        self, session: AsyncSession, survey: Survey, now: datetime, *, reminder: bool
    ) -> None:
        await self.messaging.emit(
            session,
            NOTIFICATION_REQUESTS,
            NotificationRequested(
                request_id=str(uuid.uuid4()),
                reference=survey.reference,
                template=REMINDER_TEMPLATE if reminder else INVITATION_TEMPLATE,
                personalisation={
                    "survey_url": self.survey_url(survey.token),
                    "expires_on": survey.expires_at.date().isoformat(),
                    "survey_closes_on": plain_date(uk_date(survey.expires_at)),
                },
                requested_by=REQUESTED_BY,
            ),
            subject=survey.reference,
        )
        await self.messaging.emit(
            session,
            FEEDBACK_RESPONSES,
            SurveyInvited(
                survey_id=survey.survey_id,
                reference=survey.reference,
                invited_at=now,
                expires_at=survey.expires_at,
                reminder=reminder,
            ),
            subject=survey.reference,
        )


def due_actions_for(survey: Survey, now: datetime, rules: FeedbackRules) -> list[Action]:
    return due_actions(survey.state, now, rules)


# --------------------------------------------------------------------------------------------
# Answering and opting out.
# --------------------------------------------------------------------------------------------


class SurveyStatus(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ANSWERED = "answered"


class SurveyClosedError(Exception):
    def __init__(self, status: SurveyStatus) -> None:
        super().__init__(status.value)
        self.status = status


def status_of(survey: Survey | None, now: datetime) -> SurveyStatus:
    """Whether a survey link can be used. An opt-out only stops messages: a person who opted
    out and then changed their mind may still answer."""
    if survey is None:
        return SurveyStatus.UNKNOWN
    if survey.state.answered_at is not None:
        return SurveyStatus.ANSWERED
    if survey.state.expired_at is not None or now >= survey.expires_at:
        return SurveyStatus.EXPIRED
    return SurveyStatus.OPEN


def check_comments(comments: str | None) -> str | None:
    """Comments trimmed, or None if empty; raises InvalidAnswersError when too long."""
    text = (comments or "").strip()
    if len(text) > COMMENTS_MAX_CHARS:
        raise InvalidAnswersError(
            {"comments": f"Write no more than {COMMENTS_MAX_CHARS} characters."}
        )
    return text or None


@dataclass(frozen=True)
class Submitted:
    response_id: str
    submitted_at: datetime


@dataclass(frozen=True)
class SurveyDesk:
    db: Database
    messaging: Messaging
    cipher: Cipher

    async def status(self, token: str, now: datetime) -> SurveyStatus:
        async with self.db.sessions() as session:
            return status_of(await SurveyStore(session, self.cipher).by_token(token), now)

    async def submit(
        self, token: str, answers: Mapping[str, object], comments: str | None, now: datetime
    ) -> Submitted:
        """Store the answers and announce them, anonymised. Raises SurveyClosedError, or
        InvalidAnswersError naming each question that has a problem."""
        errors: dict[str, str] = {}
        scores: dict[str, int] = {}
        try:
            scores = validate_answers(answers)
        except InvalidAnswersError as error:
            errors |= error.errors
        try:
            text = check_comments(comments)
        except InvalidAnswersError as error:
            errors |= error.errors
        async with self.db.transaction() as session:
            store = SurveyStore(session, self.cipher)
            survey = await store.by_token(token, for_update=True)
            status = status_of(survey, now)
            if status is not SurveyStatus.OPEN or survey is None:
                raise SurveyClosedError(status)
            if errors:
                raise InvalidAnswersError(errors)
            submitted = Submitted(str(uuid.uuid4()), now)
            scrubbed = None if text is None else scrub_free_text(text)
            await store.mark(survey.survey_id, answered_at=now)
            await ResponseStore(session).add(
                StoredResponse(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent="complainant",
                    sector=survey.sector,
                    outcome=survey.outcome,
                    answers=scores,
                    comments=scrubbed,
                )
            )
            await self.messaging.emit(
                session,
                FEEDBACK_RESPONSES,
                FeedbackSubmitted(
                    response_id=submitted.response_id,
                    submitted_at=now,
                    respondent="complainant",
                    sector=Sector(survey.sector),
                    outcome=ClosureReason(survey.outcome),
                    answers=scores,
                    comments=scrubbed,
                ),
                # Never the case reference: the answers are anonymous.
                subject=submitted.response_id,
            )
        self.messaging.committed()
        return submitted

    async def opt_out(self, token: str, now: datetime) -> SurveyStatus:
        """Stop every further message for this survey. Unknown tokens answer UNKNOWN."""
        async with self.db.transaction() as session:
            store = SurveyStore(session, self.cipher)
            survey = await store.by_token(token, for_update=True)
            if survey is None:
                return SurveyStatus.UNKNOWN
            if survey.state.opted_out_at is None:
                await store.mark(survey.survey_id, opted_out_at=now)
            return status_of(survey, now)


def plain_date(day: date) -> str:
    """'5 January 2027': the GOV.UK style for dates in messages."""
    return f"{day.day} {day:%B} {day.year}"
