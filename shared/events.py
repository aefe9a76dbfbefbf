"""Event and command payloads that travel between services (docs/design.md §4, a contract).

Each class is the JSON `data` of one CloudEvent; `EVENT_TYPES` maps the CloudEvents `ce_type` to
its model. Events are past-tense facts; `NotificationRequested` is the one command (an imperative
carried as an event type for the envelope's sake: "send template T to the complainant of case R").

Models on the public case topic (`CaseEvent` subclasses) must never carry the complainant's
personal data: `tests/contract/test_no_personal_data.py` enforces it field by field.
Changing a field here is changing a contract: add optional fields only, or publish a `.v2` type.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


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


# --------------------------------------------------------------------------------------------
# Internal intake topic: the complaint, with the complainant's personal data.
# --------------------------------------------------------------------------------------------


class Complainant(Payload):
    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact: ContactMethod
    reasonable_adjustments: list[str] = Field(default_factory=list)
    adjustment_details: str | None = None
    language: str | None = None


class Representative(Payload):
    name: str
    relationship: str | None = None
    has_authority: bool | None = None


class EligibilityFlags(Payload):
    eligible: bool
    reasons: list[str] = Field(default_factory=list)
    out_of_time: bool = False
    premature: bool = False
    needs_mp_referral: bool = False
    representative_without_authority: bool = False
    parliament_dissolved: bool = False


class ComplaintReceived(Payload):
    """`redress.complaint.received`: intake stored a complaint. Internal topic only."""

    complaint_id: str
    reference: str
    received_at: AwareDatetime
    channel: Channel
    complainant: Complainant
    on_behalf_of: Representative | None = None
    organisation: Organisation
    summary: str
    desired_outcome: str
    impact: str | None = None
    first_aware_on: date
    complained_to_organisation_on: date | None = None
    organisation_response_on: date | None = None
    mp_referral: bool = False
    needs_support: bool = False
    eligibility: EligibilityFlags
    tracking_token: str
    duplicate_of: str | None = None
    reason_for_delay: str | None = None
    # Additive (issue 13): the organisation's name as the complainant typed it, when
    # `organisation` is the directory entry it matched (internal topic: it may be personal data).
    organisation_as_typed: str | None = None
    # The directory entry's nation (shared/directory.Nation) when it matched one: a Welsh body
    # means Welsh first in every message (issue 14), whatever REDRESS_NATION says.
    organisation_nation: str | None = None


# --------------------------------------------------------------------------------------------
# Public case topic: no personal data, ever.
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Notifications: requests in (a command), delivery statuses out (no personal data).
# --------------------------------------------------------------------------------------------


class NotificationRequested(Payload):
    """`redress.notification.requested`: send `template` to the complainant of `reference`.

    `personalisation` must hold no contact details: notifications looks those up itself from the
    complaint it saw on the intake topic. Free text in it (a caseworker's message) is encrypted at
    rest by notifications and removed after the retention period.
    """

    request_id: str
    reference: str
    template: str
    personalisation: dict[str, Any] = Field(default_factory=dict)
    requested_by: str


class NotificationStatus(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


class NotificationStatusChanged(Payload):
    """`redress.notification.sent|delivered|failed`: a message moved to a new status."""

    notification_id: str
    request_id: str
    reference: str
    channel: Literal["email", "sms", "letter"]
    template: str
    template_version: int
    status: NotificationStatus
    at: AwareDatetime
    attempts: int
    failure_reason: str | None = None


# --------------------------------------------------------------------------------------------
# Feedback and reports.
# --------------------------------------------------------------------------------------------


class SurveyInvited(Payload):
    survey_id: str
    reference: str
    invited_at: AwareDatetime
    expires_at: AwareDatetime
    reminder: bool = False
    # Who was asked: the complainant, or the organisation investigated (its own survey).
    respondent: Literal["complainant", "organisation"] = "complainant"


AnswerScore = Annotated[int, Field(ge=1, le=5)]


class FeedbackSubmitted(Payload):
    """Anonymised answers: no reference, no name; free text already scrubbed."""

    response_id: str
    submitted_at: AwareDatetime
    respondent: Literal["complainant", "organisation", "consultation"] = "complainant"
    sector: Sector | None = None
    outcome: ClosureReason | None = None
    answers: dict[str, AnswerScore]
    comments: str | None = None
    # Set for respondent "consultation": which open consultation the answers are for.
    consultation_id: str | None = None


class ConsultationQuestionResult(Payload):
    question_id: str
    text: str
    answered: int
    # Answers per score on the five-point scale, keyed "1" to "5".
    counts: dict[str, int]
    agree_pct: float | None = None


class ConsultationPublished(Payload):
    """`redress.consultation.published`: an open consultation's anonymised results, published.

    Counts per answer, % agreeing (4 or 5) and the comments, already scrubbed of personal details.
    """

    consultation_id: str
    title: str
    closes_on: date
    published_at: AwareDatetime
    url: str
    responses: int
    questions: list[ConsultationQuestionResult]
    comments: list[str] = Field(default_factory=list)


class ReportPublished(Payload):
    report_id: str
    title: str
    period_from: date
    period_to: date
    url: str
    published_at: AwareDatetime


EVENT_TYPES: dict[str, type[Payload]] = {
    "redress.complaint.received": ComplaintReceived,
    "redress.case.opened": CaseOpened,
    "redress.case.assigned": CaseAssigned,
    "redress.case.stage_changed": StageChanged,
    "redress.case.evidence_requested": EvidenceRequested,
    "redress.case.draft_decision_issued": DraftDecisionIssued,
    "redress.case.comments_received": CommentsReceived,
    "redress.case.final_decision_issued": FinalDecisionIssued,
    "redress.case.closed": CaseClosed,
    "redress.case.review_requested": ReviewRequested,
    "redress.case.review_completed": ReviewCompleted,
    "redress.case.recommendation_made": RecommendationMade,
    "redress.case.recommendation_updated": RecommendationUpdated,
    "redress.case.deadline_missed": DeadlineMissed,
    "redress.case.message_posted": MessagePosted,
    "redress.case.themes_tagged": ThemesTagged,
    "redress.case.organisation_added": OrganisationAdded,
    "redress.case.organisation_confirmed": OrganisationConfirmed,
    "redress.notification.requested": NotificationRequested,
    "redress.notification.sent": NotificationStatusChanged,
    "redress.notification.delivered": NotificationStatusChanged,
    "redress.notification.failed": NotificationStatusChanged,
    "redress.survey.invited": SurveyInvited,
    "redress.feedback.submitted": FeedbackSubmitted,
    "redress.consultation.published": ConsultationPublished,
    "redress.report.published": ReportPublished,
}

CASE_EVENT_TYPES: dict[type[CaseEvent], str] = {
    model: ce_type
    for ce_type, model in EVENT_TYPES.items()
    if isinstance(model, type) and issubclass(model, CaseEvent)
}


def event_type_of(payload: Payload) -> str:
    """The `ce_type` for a payload whose class maps to exactly one type."""
    matches = [t for t, model in EVENT_TYPES.items() if type(payload) is model]
    if len(matches) != 1:
        raise ValueError(f"{type(payload).__name__} needs an explicit ce_type: {matches}")
    return matches[0]
