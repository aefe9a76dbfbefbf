"""The public case topic: no personal data, ever (`tests/contract/test_no_personal_data.py`
checks every field of every `CaseEvent` subclass)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from shared.events.vocabulary import (
    Channel,
    ClosureReason,
    DeclineReason,
    Milestone,
    Organisation,
    Outcome,
    Payload,
    RecommendationStatus,
    RecommendationType,
    Stage,
)


class CaseEvent(Payload):
    reference: str
    occurred_at: AwareDatetime
    organisation: Organisation
    stage: Stage


class CaseOpened(CaseEvent):
    channel: Channel
    received_at: AwareDatetime
    next_milestone: Milestone | None = None


class CaseAssigned(CaseEvent):
    caseworker_id: str
    caseworker_name: str


class StageChanged(CaseEvent):
    from_stage: Stage
    to_stage: Stage
    next_milestone: Milestone | None = None


class EvidenceRequested(CaseEvent):
    request_id: str
    due_by: date


class DraftDecisionIssued(CaseEvent):
    comments_due_by: date
    # Additive (issue 14): what the draft proposes, without free text. None and [] for drafts
    # that carry no content.
    proposed_outcome: Outcome | None = None
    recommendation_types: list[RecommendationType] = Field(default_factory=list)


class CommentsReceived(CaseEvent):
    pass


class RecommendationSummary(Payload):
    recommendation_id: str
    type: RecommendationType
    due_on: date
    status: RecommendationStatus
    # Which organisation must act, when a case concerns more than one (absent: the lead body).
    organisation: Organisation | None = None


class OrganisationFinding(Payload):
    """The outcome for one organisation of a case that concerns several."""

    organisation: Organisation
    outcome: Outcome


class FinalDecisionIssued(CaseEvent):
    outcome: Outcome
    review_request_due_by: date
    recommendations: list[RecommendationSummary] = Field(default_factory=list)
    # One per organisation the case concerns (empty from older producers: `outcome` is the lead's).
    findings: list[OrganisationFinding] = Field(default_factory=list)


class CaseClosed(CaseEvent):
    closure_reason: ClosureReason
    decline_reason: DeclineReason | None = None
    opened_at: AwareDatetime
    working_days_open: int


class ReviewRequested(CaseEvent):
    grounds: list[str]


class ReviewCompleted(CaseEvent):
    review_outcome: Literal["decision_upheld", "decision_changed"]


class RecommendationMade(CaseEvent):
    recommendation: RecommendationSummary


class RecommendationUpdated(CaseEvent):
    recommendation: RecommendationSummary
    previous_status: RecommendationStatus


class OrganisationAdded(CaseEvent):
    """The case also concerns `added_organisation` (`organisation` stays the lead body)."""

    added_organisation: Organisation


class OrganisationConfirmed(CaseEvent):
    """Staff confirmed which directory entry a body of the case is (issue 13 item 6):
    `confirmed` is that entry; until now public events called the body "unlisted"."""

    confirmed: Organisation


class DeadlineMissed(CaseEvent):
    deadline_id: str
    deadline: str
    due_by: date
    new_due_by: date | None = None


class ThemesTagged(CaseEvent):
    """The caseworker's themes for the case (the whole current set), for learning reports."""

    themes: list[str]


class MessagePosted(CaseEvent):
    message_id: str
    direction: Literal["to_complainant", "to_caseworker"]


class DocumentAdded(CaseEvent):
    """A document was added to the case (issue 16). Never its name, description or content:
    only its broad type, a size band (an exact size could tell a known file apart) and who
    added it."""

    kind: Literal["pdf", "image", "word_processing", "text", "email"]
    size_band: Literal["under_1mb", "1_to_10mb", "over_10mb"]
    added_by: Literal["complainant", "staff", "organisation", "email"]
