"""The case aggregate: everything casework knows about one case, JSON round-trippable.

The case holds internal data (audit names, evidence descriptions, a review's reason) and is stored
only in casework's own database. What leaves the service is the event models of shared/events.py,
which carry no personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import (
    Channel,
    ClosureReason,
    DeclineReason,
    EligibilityFlags,
    Organisation,
    Outcome,
    RecommendationStatus,
    RecommendationSummary,
    RecommendationType,
    Stage,
)

# Delivery statuses that mean a message will not reach the complainant, so the caseworker must
# make contact another way (docs/reference/notify-anchor.md §1 "Status lifecycle": temporary
# failures are still being retried).
CONTACT_PROBLEM_STATUSES = frozenset({"permanent-failure", "technical-failure"})


class ReviewGround(StrEnum):
    """The three grounds PHSO accepts for a review (docs/reference/domain-rules.md §1.8,
    CONFIRMED)."""

    INACCURATE_FACTS = "inaccurate_facts"
    NEW_INFORMATION = "new_information"
    OVERLOOKED_OR_MISUNDERSTOOD = "overlooked_or_misunderstood"


class DeadlineKind(StrEnum):
    ASSESSMENT_DECISION = "assessment_decision"
    COMMENT_WINDOW = "comment_window"
    EVIDENCE = "evidence"
    RECOMMENDATION = "recommendation"
    REVIEW_REQUEST_WINDOW = "review_request_window"
    # The day a finished draft is sent, as arranged with the complainant: it wakes the scheduler.
    DRAFT_RELEASE = "draft_release"


# Deadlines on the ombudsman's own handling of the case: the clock stops for them while the case
# is paused. Recommendations are the organisation's obligation and the review window is the
# complainant's, so pausing does not move them.
PAUSABLE_KINDS = frozenset(
    {DeadlineKind.ASSESSMENT_DECISION, DeadlineKind.COMMENT_WINDOW, DeadlineKind.EVIDENCE}
)
# Informational only: a review window that passes is not a missed deadline, and a held draft is
# sent by the scheduler on its day rather than missed.
UNREPORTED_KINDS = frozenset({DeadlineKind.REVIEW_REQUEST_WINDOW, DeadlineKind.DRAFT_RELEASE})


class DeadlineStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    MISSED = "missed"
    CANCELLED = "cancelled"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Caseworker(_Record):
    id: str
    name: str


class StageEntry(_Record):
    stage: Stage
    at: datetime


class AuditEntry(_Record):
    at: datetime
    actor_id: str
    actor_name: str
    action: str
    from_stage: Stage
    to_stage: Stage
    reason: str | None = None


class Deadline(_Record):
    deadline_id: str
    kind: DeadlineKind
    due_by: date
    status: DeadlineStatus = DeadlineStatus.OPEN

    @property
    def is_open(self) -> bool:
        return self.status is DeadlineStatus.OPEN


class EvidenceUnavailable(_Record):
    """Evidence that could not be obtained, and how the decision deals with its absence."""

    recorded_at: datetime
    how_decision_deals_with_it: str


class EvidenceRequest(_Record):
    request_id: str
    description: str
    requested_at: datetime
    due_by: date
    received_at: datetime | None = None
    unavailable: EvidenceUnavailable | None = None

    @property
    def is_outstanding(self) -> bool:
        return self.received_at is None and self.unavailable is None


class ExpertAdvice(_Record):
    advice_id: str
    adviser_role: str
    summary: str
    recorded_at: datetime


class ProposedRecommendation(_Record):
    """A recommendation the draft proposes; it is made only by the final decision."""

    type: RecommendationType
    description: str
    due_on: date | None = None
    organisation: Organisation | None = None


class DraftContent(_Record):
    """What the draft decision proposes, so the complainant has something to comment on."""

    proposed_outcome: Outcome
    summary: str
    how_we_reached_it: str = ""
    # One per organisation the case concerns, the lead body's first.
    findings: list[Finding] = Field(default_factory=list)
    recommendations: list[ProposedRecommendation] = Field(default_factory=list)


class HeldDraft(_Record):
    """A finished draft decision waiting for the day the complainant arranged."""

    prepared_at: datetime
    send_on: date
    # Kept until the day, then moved onto the draft (None for drafts held before issue 14).
    content: DraftContent | None = None


class Finding(_Record):
    """The decision about one organisation the case concerns."""

    organisation: Organisation
    outcome: Outcome
    summary: str


class ContactProblem(_Record):
    """A message to the complainant that could not be delivered (from notifications)."""

    notification_id: str
    channel: str
    template: str
    status: str
    at: datetime
    reason: str | None = None


class DraftDecision(_Record):
    issued_at: datetime
    comments_due_by: date
    comments_received_at: datetime | None = None
    scheduled_for: date | None = None
    # None for drafts issued before the draft carried its content (issue 14).
    content: DraftContent | None = None


class Decision(_Record):
    outcome: Outcome
    summary: str
    decided_at: datetime
    review_request_due_by: date
    how_we_reached_it: str = ""
    next_steps: list[str] = Field(default_factory=list)
    # One per organisation the case concerns, the lead body's first.
    findings: list[Finding] = Field(default_factory=list)
    # What changed since the draft and why, or that nothing did ("" when the draft had no content).
    changes_since_draft: str = ""


class Recommendation(_Record):
    recommendation_id: str
    type: RecommendationType
    description: str
    due_on: date
    status: RecommendationStatus = RecommendationStatus.MADE
    # PHSO's severity-of-injustice level, 1 to 6 (docs/reference/domain-rules.md §1.4); the bands
    # are unconfirmed.
    severity: int | None = Field(default=None, ge=1, le=6)
    # The organisation that must act (None in cases decided before several were possible: the
    # lead body).
    organisation: Organisation | None = None

    def summary(self) -> RecommendationSummary:
        """The public view: no free-text description."""
        return RecommendationSummary(
            recommendation_id=self.recommendation_id,
            type=self.type,
            due_on=self.due_on,
            status=self.status,
            organisation=self.organisation,
        )


class Review(_Record):
    requested_at: datetime
    grounds: list[ReviewGround]
    reason: str
    completed_at: datetime | None = None
    outcome: Literal["decision_upheld", "decision_changed"] | None = None


class Case(_Record):
    """One case. `handle` mutates it in place; a refused command leaves it untouched."""

    reference: str
    # The lead body; `organisations` are the other bodies the case also concerns.
    organisation: Organisation
    organisations: list[Organisation] = Field(default_factory=list)
    channel: Channel
    stage: Stage
    opened_at: datetime
    closed_at: datetime | None = None
    caseworker: Caseworker | None = None
    history: list[StageEntry] = Field(default_factory=list)
    audit: list[AuditEntry] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    paused_since: datetime | None = None
    evidence_requests: list[EvidenceRequest] = Field(default_factory=list)
    expert_advice: list[ExpertAdvice] = Field(default_factory=list)
    # The day the complainant asked for the draft (for example so a supporter can be there).
    draft_send_on: date | None = None
    held_draft: HeldDraft | None = None
    draft: DraftDecision | None = None
    decision: Decision | None = None
    closure_reason: ClosureReason | None = None
    decline_reason: DeclineReason | None = None
    recommendations: list[Recommendation] = Field(default_factory=list)
    review: Review | None = None
    themes: list[str] = Field(default_factory=list)
    # Reasonable adjustment: more time to comment and to ask for a review
    # (docs/reference/domain-rules.md §4).
    extra_time: bool = False
    eligibility: EligibilityFlags
    messages_posted: int = 0
    contact_problems: list[ContactProblem] = Field(default_factory=list)

    def deadline(self, deadline_id: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.deadline_id == deadline_id), None)

    def recommendation(self, recommendation_id: str) -> Recommendation | None:
        return next(
            (r for r in self.recommendations if r.recommendation_id == recommendation_id), None
        )

    def evidence_request(self, request_id: str) -> EvidenceRequest | None:
        return next((e for e in self.evidence_requests if e.request_id == request_id), None)

    @property
    def all_organisations(self) -> list[Organisation]:
        return [self.organisation, *self.organisations]

    def organisation_named(self, name: str | None) -> Organisation | None:
        """The lead body when `name` is None, else the body of that name (any case/spacing)."""
        if name is None:
            return self.organisation
        wanted = _name_key(name)
        return next((o for o in self.all_organisations if _name_key(o.name) == wanted), None)

    @property
    def review_window(self) -> Deadline | None:
        return self.deadline(REVIEW_WINDOW_ID)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


ASSESSMENT_DEADLINE_ID = "assessment_decision"
COMMENT_WINDOW_ID = "comment_window"
REVIEW_WINDOW_ID = "review_request_window"
DRAFT_RELEASE_ID = "draft_release"


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def evidence_deadline_id(request_id: str) -> str:
    return f"evidence_{request_id}"


def recommendation_deadline_id(recommendation_id: str) -> str:
    return f"recommendation_{recommendation_id}"
