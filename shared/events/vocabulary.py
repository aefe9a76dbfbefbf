"""The words every event shares: the payload base, the enumerations and the small value types
(docs/design.md §4). Changing a value here is changing a contract: add values only."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    """Base for every payload: unknown fields are kept, so older consumers read newer producers."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Sector(StrEnum):
    HEALTH = "health"
    PARLIAMENTARY = "parliamentary"
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    STAFF = "staff"


class ContactMethod(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    PHONE = "phone"


class Stage(StrEnum):
    ASSESSMENT = "assessment"
    INVESTIGATION = "investigation"
    DRAFT_DECISION = "draft_decision"
    REVIEW = "review"
    CLOSED = "closed"


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


class ClosureReason(StrEnum):
    """Why a case closed: a decision outcome, or an assessment-stage closure."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    DECLINED = "declined"
    RESOLVED_EARLY = "resolved_early"
    WITHDRAWN = "withdrawn"


class DeclineReason(StrEnum):
    OUT_OF_REMIT = "out_of_remit"
    NOT_PROPERLY_MADE = "not_properly_made"
    PREMATURE = "premature"
    DISCRETION_DECLINED = "discretion_declined"


class RecommendationType(StrEnum):
    APOLOGY = "apology"
    FINANCIAL_REMEDY = "financial_remedy"
    SERVICE_IMPROVEMENT = "service_improvement"


class RecommendationStatus(StrEnum):
    MADE = "made"
    ACCEPTED = "accepted"
    IMPLEMENTED = "implemented"
    OVERDUE = "overdue"
    NOT_COMPLIED = "not_complied"


class Organisation(Payload):
    """A body complained about. On the public topic `name` is the directory's official name when
    `id` is set, and the word "unlisted" when it is not: never what a complainant typed."""

    name: str
    sector: Sector
    # Additive (issue 13): the directory entry (shared/directory), None while unlisted.
    id: str | None = None


class Milestone(Payload):
    name: str
    due_by: date
