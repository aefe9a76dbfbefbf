"""Which messages a case event sends the complainant, and the words that go in them.

Input is a public case event (docs/design.md §4; models in shared/events.py), which by contract
holds no personal data, so the personalisation built here holds none either. The service adds
the fields in `SERVICE_SUPPLIED_FIELDS` (the tracking link needs the complainant's secret
token) just before rendering.

Every public case event type is either in ROUTES or in SILENT_EVENT_TYPES with the reason it
sends nothing; some routed events send nothing in some cases too (`redress.case.closed` after a
decision: the final-decision message said it all). Survey invitations and reminders arrive as
`redress.notification.requested` commands from feedback, which knows the survey link
(COMMAND_TEMPLATES).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode

from services.notifications.domain.wording import (
    CLOSURE_DESCRIPTIONS,
    DECLINE_REASON_DESCRIPTIONS,
    MILESTONE_DESCRIPTIONS,
    OUTCOME_DESCRIPTIONS,
    RECOMMENDATION_DESCRIPTIONS,
    RECOMMENDATION_STATUS_DESCRIPTIONS,
    REVIEW_OUTCOME_DESCRIPTIONS,
    REVIEW_REQUEST_WINDOW,
    STAGE_DESCRIPTIONS,
    UK_TIMEZONE,
    describe_milestone,
    format_date,
)
from shared import events
from shared.events import (
    ClosureReason,
    DeclineReason,
    Stage,
)

# The words moved to wording.py; they are still read from here.
__all__ = [
    "CLOSURE_DESCRIPTIONS",
    "DECLINE_REASON_DESCRIPTIONS",
    "MILESTONE_DESCRIPTIONS",
    "OUTCOME_DESCRIPTIONS",
    "RECOMMENDATION_DESCRIPTIONS",
    "RECOMMENDATION_STATUS_DESCRIPTIONS",
    "REVIEW_OUTCOME_DESCRIPTIONS",
    "REVIEW_REQUEST_WINDOW",
    "STAGE_DESCRIPTIONS",
    "UK_TIMEZONE",
    "describe_milestone",
    "format_date",
]

# Added by the service at send time: they come from the complaint, not from the public event.
SERVICE_SUPPLIED_FIELDS: Final = frozenset({"tracking_url"})


@dataclass(frozen=True, slots=True)
class TemplateRequest:
    """Send `template` with `personalisation` (plus SERVICE_SUPPLIED_FIELDS) to the complainant."""

    template: str
    personalisation: Mapping[str, str] = field(default_factory=dict)


def tracking_url(public_url: str, reference: str, tracking_token: str) -> str:
    """The complainant's tracking page link (docs/design.md §5: token in the `token` query)."""
    path = f"{public_url.rstrip('/')}/track/{quote(reference, safe='')}"
    return f"{path}?{urlencode({'token': tracking_token})}"


def templates_for_event(ce_type: str, data: Mapping[str, Any]) -> list[TemplateRequest]:
    """The messages a public case event sends the complainant (often one, sometimes none).

    Raises pydantic.ValidationError when `data` does not match the event type's model, and
    UnroutedEventTypeError for a type that is neither routed nor known to be silent.
    """
    if ce_type in SILENT_EVENT_TYPES:
        return []
    route = ROUTES.get(ce_type)
    if route is None:
        raise UnroutedEventTypeError(f"no routing decision for {ce_type!r}")
    return route.build(route.model.model_validate(data))


def _base(event: events.CaseEvent, **extra: str) -> dict[str, str]:
    return {"reference": event.reference, "organisation_name": event.organisation.name, **extra}


def _one(template: str, personalisation: dict[str, str]) -> list[TemplateRequest]:
    return [TemplateRequest(template, personalisation)]


def _case_opened(opened: events.CaseOpened) -> list[TemplateRequest]:
    hear_by = format_date(opened.next_milestone.due_by) if opened.next_milestone else ""
    return _one(
        "acknowledgement",
        _base(opened, received_on=format_date(opened.received_at), hear_by=hear_by),
    )


def _case_assigned(assigned: events.CaseAssigned) -> list[TemplateRequest]:
    return _one("case_assigned", _base(assigned, caseworker_name=assigned.caseworker_name))


# Stages whose arrival has a message of its own, so a stage change there would say it twice.
_STAGES_WITH_OWN_MESSAGE: Final = frozenset({Stage.DRAFT_DECISION, Stage.REVIEW, Stage.CLOSED})


def _stage_changed(changed: events.StageChanged) -> list[TemplateRequest]:
    if changed.to_stage in _STAGES_WITH_OWN_MESSAGE or changed.from_stage is Stage.REVIEW:
        return []  # review_completed tells them what the review led to
    milestone = changed.next_milestone
    return _one(
        "stage_changed",
        _base(
            changed,
            stage_description=STAGE_DESCRIPTIONS[changed.to_stage],
            next_step=describe_milestone(milestone.name) if milestone else "",
            next_date=format_date(milestone.due_by) if milestone else "",
        ),
    )


def _evidence_requested(requested: events.EvidenceRequested) -> list[TemplateRequest]:
    return _one(
        "evidence_requested", _base(requested, evidence_due_by=format_date(requested.due_by))
    )


def _draft_decision_issued(draft: events.DraftDecisionIssued) -> list[TemplateRequest]:
    return _one(
        "draft_decision_issued", _base(draft, comments_due_by=format_date(draft.comments_due_by))
    )


def _comments_received(event: events.CommentsReceived) -> list[TemplateRequest]:
    return _one("comments_received", _base(event))


def _final_decision_issued(decision: events.FinalDecisionIssued) -> list[TemplateRequest]:
    return _one(
        "final_decision_issued",
        _base(
            decision,
            outcome_description=OUTCOME_DESCRIPTIONS[decision.outcome],
            review_by=format_date(decision.review_request_due_by),
            recommendations_summary=_recommendations_summary(decision.recommendations),
        ),
    )


def _recommendations_summary(recommendations: list[events.RecommendationSummary]) -> str:
    kinds = list(dict.fromkeys(RECOMMENDATION_DESCRIPTIONS[r.type] for r in recommendations))
    if len(kinds) <= 1:
        return "".join(kinds)
    return f"{', '.join(kinds[:-1])} and {kinds[-1]}"


def _case_closed(closed: events.CaseClosed) -> list[TemplateRequest]:
    if closed.closure_reason is ClosureReason.DECLINED:
        reason = closed.decline_reason or DeclineReason.DISCRETION_DECLINED
        review_by = closed.occurred_at.astimezone(UK_TIMEZONE).date() + REVIEW_REQUEST_WINDOW
        return _one(
            "case_closed_declined",
            _base(
                closed,
                decline_reason_description=DECLINE_REASON_DESCRIPTIONS[reason],
                review_by=format_date(review_by),
            ),
        )
    description = CLOSURE_DESCRIPTIONS.get(closed.closure_reason)
    if description is None:
        return []  # closed after a final decision, which has already been sent
    return _one("case_closed", _base(closed, closure_description=description))


def _review_requested(event: events.ReviewRequested) -> list[TemplateRequest]:
    return _one("review_requested", _base(event))


def _review_completed(review: events.ReviewCompleted) -> list[TemplateRequest]:
    return _one(
        "review_completed",
        _base(
            review, review_outcome_description=REVIEW_OUTCOME_DESCRIPTIONS[review.review_outcome]
        ),
    )


def _recommendation_updated(updated: events.RecommendationUpdated) -> list[TemplateRequest]:
    recommendation = updated.recommendation
    if recommendation.status == updated.previous_status:
        return []  # nothing the complainant would see has changed
    return _one(
        "recommendation_updated",
        _base(
            updated,
            recommendation_description=RECOMMENDATION_DESCRIPTIONS[recommendation.type],
            status_description=RECOMMENDATION_STATUS_DESCRIPTIONS[recommendation.status],
            previous_status_description=RECOMMENDATION_STATUS_DESCRIPTIONS[updated.previous_status],
        ),
    )


def _deadline_missed(missed: events.DeadlineMissed) -> list[TemplateRequest]:
    new_date = format_date(missed.new_due_by) if missed.new_due_by else ""
    return _one(
        "deadline_missed",
        _base(
            missed,
            deadline_description=describe_milestone(missed.deadline),
            missed_date=format_date(missed.due_by),
            new_date=new_date,
        ),
    )


def _message_posted(posted: events.MessagePosted) -> list[TemplateRequest]:
    if posted.direction != "to_complainant":
        return []
    return _one("message_from_caseworker", _base(posted))


_Builder = Callable[[Any], list[TemplateRequest]]


@dataclass(frozen=True, slots=True)
class Route:
    """How one public case event type becomes messages.

    `sends` maps every template `build` may choose to when, in words, it is chosen; it feeds
    the template catalogue document (services/notifications/catalogue_doc.py) and its tests.
    """

    model: type[events.CaseEvent]
    build: _Builder
    sends: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CommandTrigger:
    """A template sent on a `redress.notification.requested` command from another service."""

    requested_by: str
    when: str
    fields: tuple[str, ...]


class UnroutedEventTypeError(LookupError):
    """An event type this service has not decided about: neither a route nor a known silence."""


ROUTES: Final[dict[str, Route]] = {
    "redress.case.opened": Route(
        events.CaseOpened, _case_opened, {"acknowledgement": "a case is opened"}
    ),
    "redress.case.assigned": Route(
        events.CaseAssigned, _case_assigned, {"case_assigned": "a caseworker is assigned"}
    ),
    "redress.case.stage_changed": Route(
        events.StageChanged,
        _stage_changed,
        {
            "stage_changed": "the case moves to assessment or investigation, with the next "
            "step and its date (draft decision, review and closure have messages of their own)"
        },
    ),
    "redress.case.evidence_requested": Route(
        events.EvidenceRequested,
        _evidence_requested,
        {"evidence_requested": "we ask the organisation for evidence, with its deadline"},
    ),
    "redress.case.draft_decision_issued": Route(
        events.DraftDecisionIssued,
        _draft_decision_issued,
        {"draft_decision_issued": "the draft decision is ready, with the comment deadline"},
    ),
    "redress.case.comments_received": Route(
        events.CommentsReceived,
        _comments_received,
        {"comments_received": "the complainant's comments on the draft arrive"},
    ),
    "redress.case.final_decision_issued": Route(
        events.FinalDecisionIssued,
        _final_decision_issued,
        {
            "final_decision_issued": "the final decision is issued, with any recommendations "
            "and the review deadline"
        },
    ),
    "redress.case.closed": Route(
        events.CaseClosed,
        _case_closed,
        {
            "case_closed_declined": "the case is closed because we decline to investigate "
            "(with the review deadline)",
            "case_closed": "the case is resolved early or withdrawn (nothing is sent when it "
            "closes after a final decision)",
        },
    ),
    "redress.case.review_requested": Route(
        events.ReviewRequested,
        _review_requested,
        {"review_requested": "the complainant asks for a review"},
    ),
    "redress.case.review_completed": Route(
        events.ReviewCompleted, _review_completed, {"review_completed": "a review is finished"}
    ),
    "redress.case.recommendation_updated": Route(
        events.RecommendationUpdated,
        _recommendation_updated,
        {
            "recommendation_updated": "a recommendation's status changes (accepted, done, "
            "overdue, refused)"
        },
    ),
    "redress.case.deadline_missed": Route(
        events.DeadlineMissed,
        _deadline_missed,
        {"deadline_missed": "we miss a date we gave the complainant, with the new date when known"},
    ),
    "redress.case.message_posted": Route(
        events.MessagePosted,
        _message_posted,
        {
            "message_from_caseworker": "the caseworker posts a message to the complainant (not "
            "the other way round)"
        },
    ),
}

# Public case events that deliberately send nothing, and why. Every case event type must be in
# ROUTES or here (a unit test checks), so a new event type is a decision, not an accident.
SILENT_EVENT_TYPES: Final[dict[str, str]] = {
    "redress.case.recommendation_made": (
        "the final-decision message already lists the recommendations"
    ),
    "redress.case.themes_tagged": "themes are internal, for learning reports",
    "redress.case.organisation_added": (
        "the tracking page lists the organisations; the decision message covers each"
    ),
    "redress.case.organisation_confirmed": (
        "staff matched the body to the directory; the complainant named it already"
    ),
    "redress.case.document_added": (
        "the complainant sent it or sees it on the tracking page; staff see it on the case"
    ),
}

# Templates sent on request by another service, with the personalisation it must supply.
COMMAND_TEMPLATES: Final[dict[str, CommandTrigger]] = {
    "survey_invitation": CommandTrigger(
        "feedback",
        "the case has been closed for the survey delay (FEEDBACK_INVITE_DELAY_DAYS)",
        ("survey_url", "survey_closes_on"),
    ),
    "survey_reminder": CommandTrigger(
        "feedback",
        "the survey is still unanswered before it closes",
        ("survey_url", "survey_closes_on"),
    ),
}

ROUTED_EVENT_TYPES: Final = frozenset(ROUTES)
HANDLED_EVENT_TYPES: Final = ROUTED_EVENT_TYPES | frozenset(SILENT_EVENT_TYPES)
