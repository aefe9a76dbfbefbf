"""When a survey is sent: the invitation, the one reminder and expiry, and whether its link
can still be used.

Pure: every function takes `now`; working-day arithmetic is passed in (`add_working_days`), so the
bank-holiday calendar stays in `shared/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.feedback.domain.questions import Respondent

AddWorkingDays = Callable[[date, int], date]
"""`add_working_days(start, n)`: the n-th working day after `start` (shared/working_days.py)."""

Action = Literal["invite", "remind", "expire"]


class FeedbackRules(BaseModel):
    """When to ask. None of these numbers has an official source, so all are settings.

    - `invite_delay_working_days`: `FEEDBACK_INVITE_DELAY_DAYS` (docs/design.md §6; 0 allowed).
      Default 5 working days after closure [UNCONFIRMED design choice]: the decision letter has
      time to arrive by post, and the person is asked about the service while it is fresh,
      not in the same breath as the decision (PSOW found satisfaction tracks the outcome,
      docs/reference/domain-rules.md §3).
    - `reminder_after_days`: one reminder 7 calendar days after the invitation
      [UNCONFIRMED]: PSOW's self-selecting web survey got only 75 responses a year
      (docs/reference/domain-rules.md §3), so a single nudge is worth it; more would pester.
    - `link_expires_after_days`: 28 calendar days after the invitation [UNCONFIRMED]: answers
      from later describe memory more than the service, and the quarterly results
      (docs/reference/domain-rules.md §1.10) need responses to settle within the quarter.
    """

    model_config = ConfigDict(frozen=True)

    invite_delay_working_days: int = Field(default=5, ge=0)
    reminder_after_days: int = Field(default=7, ge=1)
    link_expires_after_days: int = Field(default=28, ge=1)

    @model_validator(mode="after")
    def _reminder_before_expiry(self) -> FeedbackRules:
        if self.reminder_after_days >= self.link_expires_after_days:
            raise ValueError("the reminder must go out before the survey link expires")
        return self


class InvitationSchedule(NamedTuple):
    invite_at: datetime
    reminder_at: datetime
    expires_at: datetime


def invitation_schedule(
    closed_at: datetime, rules: FeedbackRules, add_working_days: AddWorkingDays
) -> InvitationSchedule:
    """When to invite, remind and let the link lapse, for a case closed at `closed_at`.

    The invitation keeps the time of day of the closure, on the working day the delay lands on;
    with no delay it goes at once (not rolled to a working day: 0 means "straight away")."""
    if rules.invite_delay_working_days == 0:
        invite_at = closed_at
    else:
        invite_on = add_working_days(closed_at.date(), rules.invite_delay_working_days)
        invite_at = datetime.combine(invite_on, closed_at.timetz())
    return InvitationSchedule(
        invite_at=invite_at,
        reminder_at=invite_at + timedelta(days=rules.reminder_after_days),
        expires_at=invite_at + timedelta(days=rules.link_expires_after_days),
    )


@dataclass(frozen=True, slots=True)
class SurveyState:
    """What the scheduler knows about one survey."""

    schedule: InvitationSchedule
    invited_at: datetime | None = None
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    opted_out_at: datetime | None = None
    expired_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return any((self.answered_at, self.opted_out_at, self.expired_at))


def due_actions(
    state: SurveyState, now: datetime, rules: FeedbackRules | None = None
) -> list[Action]:
    """What the scheduler should do now: at most one action per call.

    Nothing after an answer, an opt-out or expiry. One reminder only, never in the same run as
    the invitation, and never sooner than `reminder_after_days` after an invitation that went out
    late (say, after an outage), so a person is not invited and reminded on the same day."""
    rules = rules or FeedbackRules()
    if state.finished:
        return []
    if now >= state.schedule.expires_at:
        return ["expire"]
    if state.invited_at is None:
        return ["invite"] if now >= state.schedule.invite_at else []
    reminder_due = max(
        state.schedule.reminder_at, state.invited_at + timedelta(days=rules.reminder_after_days)
    )
    if state.reminded_at is None and now >= reminder_due:
        return ["remind"]
    return []


@dataclass(frozen=True)
class Survey:
    """One survey: sent for one case to one respondent, answered at most once."""

    survey_id: str
    reference: str
    token: str
    organisation: str
    sector: str
    outcome: str
    closed_at: datetime
    state: SurveyState
    respondent: Respondent = "complainant"

    @property
    def expires_at(self) -> datetime:
        return self.state.schedule.expires_at


class SurveyStatus(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ANSWERED = "answered"


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


def plain_date(day: date) -> str:
    """'5 January 2027': the GOV.UK style for dates in messages."""
    return f"{day.day} {day:%B} {day.year}"
