"""The read model's rows, the rules and periods the figures are computed under, UK dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from shared.events import (
    Channel,
    ClosureReason,
    RecommendationStatus,
    RecommendationType,
    Sector,
    Stage,
)

WorkingDaysBetween = Callable[[date, date], int]

"""Working days after `start` up to and including `end` (the start day is day 0)."""

# Dates in published figures are UK calendar dates: a complaint sent at 23:30 UTC on a summer
# evening was received the next day in the UK (docs/reference/domain-rules.md §6 counts UK working
# days).
UK_TIME = ZoneInfo("Europe/London")

# Small-number suppression for published statistics: counts from 1 to 4 could identify a
# complainant (docs/reference/domain-rules.md §5: published reports must not identify
# individuals; the threshold of 5 follows the usual UK official-statistics practice).
SUPPRESSION_THRESHOLD = 5

# Top-2-box on a five-point agree/disagree scale (docs/reference/domain-rules.md §3).
AGREE_MIN_SCORE = 4
# Its mirror, bottom-2-box: "disagree" or "strongly disagree" raises the question as a theme.
DISAGREE_MAX_SCORE = 2

# The nearest-rank percentile reported beside the median.
P90 = 0.9

# PHSO's impartiality indicator is the aggregate of its survey questions 1, 2 and 4
# (docs/reference/domain-rules.md §3); these are the feedback service's ids for those questions.
IMPARTIALITY_QUESTIONS: tuple[str, ...] = (
    "explain_complaint",
    "info_taken_into_account",
    "decision_explained",
)

INVESTIGATED_OUTCOMES = (
    ClosureReason.UPHELD,
    ClosureReason.PARTLY_UPHELD,
    ClosureReason.NOT_UPHELD,
)
UPHELD_OUTCOMES = (ClosureReason.UPHELD, ClosureReason.PARTLY_UPHELD)
OPEN_RECOMMENDATION_STATUSES = (RecommendationStatus.MADE, RecommendationStatus.ACCEPTED)

Respondent = Literal["complainant", "organisation", "consultation"]


# --------------------------------------------------------------------------------------------
# Read-model rows (built by projection.py from events only).
# --------------------------------------------------------------------------------------------


class ReadModelRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecommendationFacts(ReadModelRow):
    recommendation_id: str
    type: RecommendationType
    due_on: date
    status: RecommendationStatus
    # When the recommendation was made (`occurred_at` of `redress.case.recommendation_made` or of
    # the final decision carrying it). Optional so rows built before it was recorded still load;
    # those fall back to the case's closure date.
    made_at: datetime | None = None


class CaseFacts(ReadModelRow):
    reference: str
    organisation: str
    sector: Sector
    channel: Channel
    received_at: datetime
    opened_at: datetime
    acknowledged_at: datetime | None = None
    assessment_decided_at: datetime | None = None
    closed_at: datetime | None = None
    closure_reason: ClosureReason | None = None
    stage: Stage
    themes: list[str] = Field(default_factory=list)
    recommendations: list[RecommendationFacts] = Field(default_factory=list)


class SatisfactionResponse(ReadModelRow):
    response_id: str
    submitted_at: datetime
    respondent: Respondent = "complainant"
    sector: Sector | None = None
    outcome: ClosureReason | None = None
    answers: dict[str, int]


class ServiceChange(ReadModelRow):
    """A change to the service that staff recorded against a theme (of complaints or of survey
    feedback: a theme name, or a survey question id such as `kept_up_to_date`)."""

    change_id: str
    theme: str
    description: str
    made_on: date


# --------------------------------------------------------------------------------------------
# Rules and periods.
# --------------------------------------------------------------------------------------------


def _default_ack_targets() -> Mapping[Channel, int]:
    # docs/reference/domain-rules.md §1.6 (SECONDARY, old PHSO page): "we will write to acknowledge
    # the complaint within two working days. Emails will be acknowledged within one working day."
    # Web forms arrive as electronically as email, so they get email's target; phone and staff
    # entries fall under the general two-day written acknowledgement.
    return MappingProxyType(
        {
            Channel.WEB: 1,
            Channel.EMAIL: 1,
            Channel.LETTER: 2,
            Channel.PHONE: 2,
            Channel.STAFF: 2,
        }
    )


@dataclass(frozen=True, slots=True)
class ReportRules:
    ack_target_working_days: Mapping[Channel, int] = field(default_factory=_default_ack_targets)
    suppression_threshold: int = SUPPRESSION_THRESHOLD

    def ack_target_for(self, channel: Channel) -> int:
        return self.ack_target_working_days[channel]


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    """An inclusive range of UK calendar dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts ({self.start}) after it ends ({self.end})")

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= uk_date(moment) <= self.end


def uk_date(moment: datetime) -> date:
    """The UK calendar date of an instant; naive datetimes are taken to be UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UK_TIME).date()
