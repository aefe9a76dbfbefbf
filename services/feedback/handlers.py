"""Feedback's moving parts: the case-closed subscriber, the invitation scheduler, and answering.

- `on_case_closed`: a closed case gets one survey for the complainant and, when staff have
  recorded a survey contact for the organisation investigated, one for the organisation, both
  scheduled by the domain. A review sends the case back to closed without a second
  `redress.case.closed`; should one arrive anyway (a redelivery under a new id, an older
  producer), the reference already has its surveys.
- `run_due_surveys(now)`: invitations, the one reminder and expiry, as `domain.due_actions`
  decides, each survey in its own transaction with its outgoing events (outbox). Complainants
  are invited through notifications; organisations by mail from here (services/feedback/mail.py
  says why).
- `SurveyDesk`: answering and opting out, for the HTML pages and the JSON API alike.
- `ConsultationDesk`: open consultations: set up, answered through a public link, published.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.domain import (
    COMMENTS_MAX_CHARS,
    COMMENTS_TOO_LONG,
    Action,
    ConsultationResults,
    FeedbackRules,
    InvalidAnswersError,
    InvalidConsultationError,
    Question,
    Respondent,
    check_consultation,
    consultation_open,
    consultation_questions,
    consultation_results,
    due_actions,
    invitation_schedule,
    questions_for,
    scrub_free_text,
    validate_answers,
)
from services.feedback.mail import OrganisationInvitation, invitation_email
from services.feedback.settings import FeedbackSettings
from services.feedback.store import (
    Consultation,
    ConsultationStore,
    ContactStore,
    ResponseStore,
    StoredResponse,
    Survey,
    SurveyStore,
)
from shared.crypto import Cipher
from shared.db import Database
from shared.envelope import CloudEvent
from shared.events import (
    CaseClosed,
    ClosureReason,
    ConsultationPublished,
    ConsultationQuestionResult,
    FeedbackSubmitted,
    NotificationRequested,
    Sector,
    SurveyInvited,
)
from shared.mail import Mailer, MailError
from shared.messaging import Handler, Messaging, PermanentEventError
from shared.timekeeping import uk_date
from shared.topics import FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS
from shared.welsh import writes_in_welsh
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
        respondents: list[Respondent] = ["complainant"]
        if await ContactStore(session, cipher).get(closed.organisation.name) is not None:
            respondents.append("organisation")
        for respondent in respondents:
            if await store.exists_for(closed.reference, respondent):
                continue
            await store.add(
                survey_id=str(uuid.uuid4()),
                reference=closed.reference,
                token=new_survey_token(),
                organisation=closed.organisation.name,
                sector=closed.organisation.sector.value,
                outcome=closed.closure_reason.value,
                closed_at=closed.occurred_at,
                schedule=invitation_schedule(closed.occurred_at, rules, add_days),
                respondent=respondent,
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
    mailer: Mailer
    mail_from: str
    nation: str = "england"  # REDRESS_NATION: "wales" mails organisations Welsh first

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
                if survey.respondent == "organisation":
                    if not await self._mail_organisation(session, survey, now, reminder=reminder):
                        return None
                else:
                    await self._request_notification(session, survey, reminder=reminder)
                await self._announce(session, survey, now, reminder=reminder)
                await store.mark(survey_id, **{"reminded_at" if reminder else "invited_at": now})
            log.info(
                "survey %s (%s): %s",
                survey_id,
                survey.respondent,
                action,
                extra={"reference": survey.reference},
            )
            return action

    async def _mail_organisation(
        self, session: AsyncSession, survey: Survey, now: datetime, *, reminder: bool
    ) -> bool:
        """Mail the organisation's current contact; False when nothing was sent (no contact any
        more: the survey is closed as opted out; a mail failure: tried again next run)."""
        contact = await ContactStore(session, self.cipher).get(survey.organisation)
        if contact is None:
            await SurveyStore(session, self.cipher).mark(survey.survey_id, opted_out_at=now)
            log.info("survey %s: the organisation has no contact any more", survey.survey_id)
            return False
        invitation = OrganisationInvitation(
            to=contact.email,
            organisation=contact.organisation,
            reference=survey.reference,
            survey_url=self.survey_url(survey.token),
            closes_on=plain_date(uk_date(survey.expires_at)),
            reminder=reminder,
        )
        try:
            welsh = writes_in_welsh(None, self.nation)
            await self.mailer.send(invitation_email(invitation, self.mail_from, welsh=welsh))
        except MailError as error:
            log.warning("survey %s: invitation not sent: %s", survey.survey_id, error)
            return False
        return True

    async def _request_notification(
        self, session: AsyncSession, survey: Survey, *, reminder: bool
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

    async def _announce(
        self, session: AsyncSession, survey: Survey, now: datetime, *, reminder: bool
    ) -> None:
        await self.messaging.emit(
            session,
            FEEDBACK_RESPONSES,
            SurveyInvited(
                survey_id=survey.survey_id,
                reference=survey.reference,
                invited_at=now,
                expires_at=survey.expires_at,
                reminder=reminder,
                respondent=survey.respondent,
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
class SurveyDesk:
    db: Database
    messaging: Messaging
    cipher: Cipher

    async def status(self, token: str, now: datetime) -> SurveyStatus:
        return (await self.lookup(token, now))[0]

    async def lookup(self, token: str, now: datetime) -> tuple[SurveyStatus, Respondent]:
        """Whether the link can be used, and who it was sent to (which questions to ask)."""
        async with self.db.sessions() as session:
            survey = await SurveyStore(session, self.cipher).by_token(token)
        return status_of(survey, now), survey.respondent if survey else "complainant"

    async def submit(
        self, token: str, answers: Mapping[str, object], comments: str | None, now: datetime
    ) -> Submitted:
        """Store the answers and announce them, anonymised. Raises SurveyClosedError, or
        InvalidAnswersError naming each question that has a problem."""
        async with self.db.transaction() as session:
            store = SurveyStore(session, self.cipher)
            survey = await store.by_token(token, for_update=True)
            status = status_of(survey, now)
            if status is not SurveyStatus.OPEN or survey is None:
                raise SurveyClosedError(status)
            scores, text = checked_answers(answers, comments, questions_for(survey.respondent))
            submitted = Submitted(str(uuid.uuid4()), now)
            scrubbed = None if text is None else scrub_free_text(text)
            await store.mark(survey.survey_id, answered_at=now)
            await ResponseStore(session).add(
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
            await self.messaging.emit(
                session,
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


# --------------------------------------------------------------------------------------------
# Open consultations.
# --------------------------------------------------------------------------------------------


class ConsultationStatus(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    CLOSED = "closed"


class ConsultationClosedError(Exception):
    def __init__(self, status: ConsultationStatus) -> None:
        super().__init__(status.value)
        self.status = status


class AlreadyPublishedError(Exception):
    """The results were published before; published results are final."""


def consultation_status(consultation: Consultation | None, now: datetime) -> ConsultationStatus:
    if consultation is None:
        return ConsultationStatus.UNKNOWN
    published = consultation.published_at is not None
    if consultation_open(consultation.closes_on, uk_date(now), published=published):
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


@dataclass(frozen=True)
class ConsultationDesk:
    db: Database
    messaging: Messaging
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
        async with self.db.transaction() as session:
            await ConsultationStore(session).add(consultation)
        log.info("consultation %s created", consultation.consultation_id)
        return consultation

    async def find(self, consultation_id: str) -> Consultation | None:
        async with self.db.sessions() as session:
            return await ConsultationStore(session).get(consultation_id)

    async def listing(self) -> list[Consultation]:
        async with self.db.sessions() as session:
            return await ConsultationStore(session).listing()

    async def answer(
        self,
        consultation_id: str,
        answers: Mapping[str, object],
        comments: str | None,
        now: datetime,
    ) -> Submitted:
        """Store one anonymous response and announce it. Raises ConsultationClosedError, or
        InvalidAnswersError naming each question that has a problem."""
        async with self.db.transaction() as session:
            consultation = await ConsultationStore(session).get(consultation_id)
            status = consultation_status(consultation, now)
            if status is not ConsultationStatus.OPEN or consultation is None:
                raise ConsultationClosedError(status)
            scores, text = checked_answers(answers, comments, consultation.questions)
            submitted = Submitted(str(uuid.uuid4()), now)
            scrubbed = None if text is None else scrub_free_text(text)
            await ResponseStore(session).add(
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
            await self.messaging.emit(
                session,
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
        self.messaging.committed()
        return submitted

    async def results(
        self, consultation_id: str
    ) -> tuple[Consultation, ConsultationResults] | None:
        async with self.db.sessions() as session:
            consultation = await ConsultationStore(session).get(consultation_id)
            if consultation is None:
                return None
            answers = await ResponseStore(session).for_consultation(consultation_id)
        return consultation, consultation_results(consultation.questions, answers)

    async def publish(self, consultation_id: str, now: datetime) -> Consultation | None:
        """Publish the anonymised results (closing the consultation); None if unknown. Raises
        AlreadyPublishedError the second time."""
        async with self.db.transaction() as session:
            store = ConsultationStore(session)
            consultation = await store.get(consultation_id, for_update=True)
            if consultation is None:
                return None
            if consultation.published_at is not None:
                raise AlreadyPublishedError(consultation_id)
            answers = await ResponseStore(session).for_consultation(consultation_id)
            results = consultation_results(consultation.questions, answers)
            snapshot = results_json(results)
            await store.mark_published(consultation_id, now, snapshot)
            await self.messaging.emit(
                session,
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
        self.messaging.committed()
        log.info("consultation %s published", consultation_id)
        return replace(consultation, published_at=now, published_results=snapshot)
