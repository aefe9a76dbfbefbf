"""The invitation scheduler: invitations, the one reminder and expiry, as `domain.due_actions`
decides, each survey in its own transaction with its outgoing events (outbox). Complainants
are invited through notifications; organisations by mail from here (mail.py says why).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.feedback.domain import Action, FeedbackRules, Survey, due_actions, plain_date
from services.feedback.mail import OrganisationInvitation, invitation_email
from services.feedback.store import FeedbackStores
from shared.events import NotificationRequested, SurveyInvited
from shared.kit.work import UnitOfWork, Work
from shared.mail import Mailer, MailError
from shared.timekeeping import uk_date
from shared.topics import FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS
from shared.welsh import writes_in_welsh

log = logging.getLogger("redress.feedback")

INVITATION_TEMPLATE = "survey_invitation"
REMINDER_TEMPLATE = "survey_reminder"
REQUESTED_BY = "feedback"


@dataclass(frozen=True)
class Scheduler:
    uow: UnitOfWork[FeedbackStores]
    rules: FeedbackRules
    public_url: str
    mailer: Mailer
    mail_from: str
    nation: str = "england"  # REDRESS_NATION: "wales" mails organisations Welsh first

    def survey_url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/survey/{token}"

    async def run_due_surveys(self, now: datetime) -> list[tuple[str, Action]]:
        """Do what is due at `now`; returns (survey_id, action) for everything done."""
        async with self.uow.reading() as stores:
            due = await stores.surveys.due_ids(now)
        done: list[tuple[str, Action]] = []
        for survey_id in due:
            action = await self._run_one(survey_id, now)
            if action is not None:
                done.append((survey_id, action))
        return done

    async def _run_one(self, survey_id: str, now: datetime) -> Action | None:
        async with self.uow.transaction() as work:
            surveys = work.stores.surveys
            survey = await surveys.lock(survey_id)
            if survey is None:
                return None
            actions = due_actions(survey.state, now, self.rules)
            if not actions:
                return None
            action = actions[0]
            if action == "expire":
                await surveys.mark(survey_id, expired_at=now)
            else:
                reminder = action == "remind"
                if survey.respondent == "organisation":
                    if not await self._mail_organisation(work, survey, now, reminder=reminder):
                        return None
                else:
                    await self._request_notification(work, survey, reminder=reminder)
                await self._announce(work, survey, now, reminder=reminder)
                await surveys.mark(survey_id, **{"reminded_at" if reminder else "invited_at": now})
            log.info(
                "survey %s (%s): %s",
                survey_id,
                survey.respondent,
                action,
                extra={"reference": survey.reference},
            )
            return action

    async def _mail_organisation(
        self, work: Work[FeedbackStores], survey: Survey, now: datetime, *, reminder: bool
    ) -> bool:
        """Mail the organisation's current contact; False when nothing was sent (no contact any
        more: the survey is closed as opted out; a mail failure: tried again next run)."""
        contact = await work.stores.contacts.get(survey.organisation)
        if contact is None:
            await work.stores.surveys.mark(survey.survey_id, opted_out_at=now)
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
        self, work: Work[FeedbackStores], survey: Survey, *, reminder: bool
    ) -> None:
        await work.emit(
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
        self, work: Work[FeedbackStores], survey: Survey, now: datetime, *, reminder: bool
    ) -> None:
        await work.emit(
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
