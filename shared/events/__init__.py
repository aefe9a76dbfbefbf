"""Event and command payloads that travel between services (docs/design.md §4, a contract).

Each class is the JSON `data` of one CloudEvent; `EVENT_TYPES` maps the CloudEvents `ce_type` to
its model. Events are past-tense facts; `NotificationRequested` is the one command (an imperative
carried as an event type for the envelope's sake: "send template T to the complainant of case R").

Models on the public case topic (`CaseEvent` subclasses) must never carry the complainant's
personal data: `tests/contract/test_no_personal_data.py` enforces it field by field.
Changing a field here is changing a contract: add optional fields only, or publish a `.v2` type.

The models live by topic in `vocabulary` (shared words), `complaints` (internal intake topic),
`case` (public case topic), `notifications` and `feedback`; import them from `shared.events`.
"""

from __future__ import annotations

from shared.events.case import (
    CaseAssigned,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CommentsReceived,
    DeadlineMissed,
    DocumentAdded,
    DraftDecisionIssued,
    EvidenceRequested,
    FinalDecisionIssued,
    MessagePosted,
    OrganisationAdded,
    OrganisationConfirmed,
    OrganisationFinding,
    RecommendationMade,
    RecommendationSummary,
    RecommendationUpdated,
    ReviewCompleted,
    ReviewRequested,
    StageChanged,
    ThemesTagged,
)
from shared.events.complaints import (
    Complainant,
    ComplaintDocument,
    ComplaintReceived,
    EligibilityFlags,
    Representative,
)
from shared.events.feedback import (
    AnswerScore,
    ConsultationPublished,
    ConsultationQuestionResult,
    FeedbackSubmitted,
    ReportPublished,
    SurveyInvited,
)
from shared.events.notifications import (
    NotificationRequested,
    NotificationStatus,
    NotificationStatusChanged,
)
from shared.events.vocabulary import (
    Channel,
    ClosureReason,
    ContactMethod,
    DeclineReason,
    Milestone,
    Organisation,
    Outcome,
    Payload,
    RecommendationStatus,
    RecommendationType,
    Sector,
    Stage,
)

# The public names: every module imports its payloads from `shared.events`.
__all__ = [
    "CASE_EVENT_TYPES",
    "EVENT_TYPES",
    "AnswerScore",
    "CaseAssigned",
    "CaseClosed",
    "CaseEvent",
    "CaseOpened",
    "Channel",
    "ClosureReason",
    "CommentsReceived",
    "Complainant",
    "ComplaintDocument",
    "ComplaintReceived",
    "ConsultationPublished",
    "ConsultationQuestionResult",
    "ContactMethod",
    "DeadlineMissed",
    "DeclineReason",
    "DocumentAdded",
    "DraftDecisionIssued",
    "EligibilityFlags",
    "EvidenceRequested",
    "FeedbackSubmitted",
    "FinalDecisionIssued",
    "MessagePosted",
    "Milestone",
    "NotificationRequested",
    "NotificationStatus",
    "NotificationStatusChanged",
    "Organisation",
    "OrganisationAdded",
    "OrganisationConfirmed",
    "OrganisationFinding",
    "Outcome",
    "Payload",
    "RecommendationMade",
    "RecommendationStatus",
    "RecommendationSummary",
    "RecommendationType",
    "RecommendationUpdated",
    "ReportPublished",
    "Representative",
    "ReviewCompleted",
    "ReviewRequested",
    "Sector",
    "Stage",
    "StageChanged",
    "SurveyInvited",
    "ThemesTagged",
    "event_type_of",
]


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
    "redress.case.document_added": DocumentAdded,
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
