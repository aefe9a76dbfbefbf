"""Which messages a case event sends the complainant, and the words that go in them.

Input is a public case event (DESIGN section 4; models in shared/events.py), which by contract
holds no personal data, so the personalisation built here holds none either. The service adds
the fields in `SERVICE_SUPPLIED_FIELDS` (the tracking link needs the complainant's secret
token) just before rendering.

Event types with no message here: `redress.case.recommendation_made` (the final-decision message
lists the recommendations), `redress.case.closed` after a decision (the final-decision message
said it all), and the notification, survey and report events. Survey invitations and reminders
arrive as `redress.notification.requested` commands from feedback, which knows the survey link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from shared import events
from shared.events import (
    ClosureReason,
    DeclineReason,
    Outcome,
    RecommendationStatus,
    RecommendationType,
    Stage,
)

UK_TIMEZONE: Final = ZoneInfo("Europe/London")

# Added by the service at send time: they come from the complaint, not from the public event.
SERVICE_SUPPLIED_FIELDS: Final = frozenset({"tracking_url"})

# PHSO gives one month from a decision to ask for a review (../shared/reference/domain-rules.md,
# `phso.review.request_window`, section 1.8). Final decisions carry their own date; a decision
# not to investigate (case closed as declined) does not, so we count from the closure.
REVIEW_REQUEST_WINDOW: Final = relativedelta(months=1)

_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

STAGE_DESCRIPTIONS: Final[dict[Stage, str]] = {
    Stage.ASSESSMENT: "We are checking whether we can look into your complaint.",
    Stage.INVESTIGATION: "We have started to investigate your complaint.",
    Stage.DRAFT_DECISION: "We have shared our draft decision with you.",
    Stage.REVIEW: "We are reviewing our decision.",
    Stage.CLOSED: "Your complaint is closed.",
}

OUTCOME_DESCRIPTIONS: Final[dict[Outcome, str]] = {
    Outcome.UPHELD: (
        "We have upheld your complaint. This means we found that the organisation got things wrong."
    ),
    Outcome.PARTLY_UPHELD: (
        "We have partly upheld your complaint. This means we found that the organisation got "
        "some things wrong, but not everything you complained about."
    ),
    Outcome.NOT_UPHELD: (
        "We have not upheld your complaint. This means we did not find that the organisation "
        "got things wrong."
    ),
}

DECLINE_REASON_DESCRIPTIONS: Final[dict[DeclineReason, str]] = {
    DeclineReason.OUT_OF_REMIT: (
        "The law does not allow us to look into this kind of complaint. We can tell you who "
        "may be able to help."
    ),
    DeclineReason.NOT_PROPERLY_MADE: (
        "The complaint was not made in the way the law requires. For example, a complaint "
        "about a government department must come to us from an MP."
    ),
    DeclineReason.PREMATURE: (
        "The organisation has not finished dealing with your complaint. They must have the "
        "chance to put things right first. You can come back to us when they have sent you "
        "their final reply."
    ),
    DeclineReason.DISCRETION_DECLINED: (
        "We do not think an investigation by us would achieve more for you, so we have "
        "decided not to investigate."
    ),
}

CLOSURE_DESCRIPTIONS: Final[dict[ClosureReason, str]] = {
    ClosureReason.RESOLVED_EARLY: "The organisation has agreed to put things right.",
    ClosureReason.WITHDRAWN: "You told us you no longer want us to look into it.",
}

RECOMMENDATION_DESCRIPTIONS: Final[dict[RecommendationType, str]] = {
    # Read as "We have asked the organisation to make ..." / "We recommended ...".
    RecommendationType.APOLOGY: "an apology",
    RecommendationType.FINANCIAL_REMEDY: "a payment to put things right",
    RecommendationType.SERVICE_IMPROVEMENT: "changes to how it works",
}

RECOMMENDATION_STATUS_DESCRIPTIONS: Final[dict[RecommendationStatus, str]] = {
    # Read as "This was ..." / "It is now ...".
    RecommendationStatus.MADE: "asked for by us",
    RecommendationStatus.ACCEPTED: "agreed by the organisation",
    RecommendationStatus.IMPLEMENTED: "done",
    RecommendationStatus.OVERDUE: "overdue: it was not done by the date we set",
    RecommendationStatus.NOT_COMPLIED: "refused by the organisation",
}

REVIEW_OUTCOME_DESCRIPTIONS: Final[dict[str, str]] = {
    "decision_upheld": "Our decision stays the same. This is our final word on your complaint.",
    "decision_changed": (
        "We have changed our decision. Your caseworker will explain what happens next."
    ),
}

# Names casework gives its deadlines and milestones, in words; unknown names are humanised.
MILESTONE_DESCRIPTIONS: Final[dict[str, str]] = {
    "acknowledgement": "our acknowledgement",
    "assessment_decision": "our decision on whether we can look into your complaint",
    "assessment": "our decision on whether we can look into your complaint",
    "investigation": "the end of our investigation",
    "evidence": "information from the organisation",
    "draft_decision": "our draft decision",
    "comments": "your comments on our draft decision",
    "final_decision": "our final decision",
    "review": "the outcome of our review",
}


@dataclass(frozen=True, slots=True)
class TemplateRequest:
    """Send `template` with `personalisation` (plus SERVICE_SUPPLIED_FIELDS) to the complainant."""

    template: str
    personalisation: Mapping[str, str] = field(default_factory=dict)


def format_date(value: date | datetime) -> str:
    """'5 January 2027'; a datetime counts by its UK calendar day."""
    if isinstance(value, datetime):
        value = value.astimezone(UK_TIMEZONE).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def describe_milestone(name: str) -> str:
    return MILESTONE_DESCRIPTIONS.get(name, "the " + " ".join(name.replace("-", "_").split("_")))


def tracking_url(public_url: str, reference: str, tracking_token: str) -> str:
    """The complainant's tracking page link (DESIGN section 5: token in the `token` query)."""
    path = f"{public_url.rstrip('/')}/track/{quote(reference, safe='')}"
    return f"{path}?{urlencode({'token': tracking_token})}"


def templates_for_event(ce_type: str, data: Mapping[str, Any]) -> list[TemplateRequest]:
    """The messages a public case event sends the complainant (often one, sometimes none).

    Raises pydantic.ValidationError when `data` does not match the event type's model.
    """
    route = _ROUTES.get(ce_type)
    if route is None:
        return []
    model, build = route
    event = model.model_validate(data)
    return build(event)


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

_ROUTES: Final[dict[str, tuple[type[events.CaseEvent], _Builder]]] = {
    "redress.case.opened": (events.CaseOpened, _case_opened),
    "redress.case.assigned": (events.CaseAssigned, _case_assigned),
    "redress.case.stage_changed": (events.StageChanged, _stage_changed),
    "redress.case.evidence_requested": (events.EvidenceRequested, _evidence_requested),
    "redress.case.draft_decision_issued": (events.DraftDecisionIssued, _draft_decision_issued),
    "redress.case.comments_received": (events.CommentsReceived, _comments_received),
    "redress.case.final_decision_issued": (events.FinalDecisionIssued, _final_decision_issued),
    "redress.case.closed": (events.CaseClosed, _case_closed),
    "redress.case.review_requested": (events.ReviewRequested, _review_requested),
    "redress.case.review_completed": (events.ReviewCompleted, _review_completed),
    "redress.case.recommendation_updated": (
        events.RecommendationUpdated,
        _recommendation_updated,
    ),
    "redress.case.deadline_missed": (events.DeadlineMissed, _deadline_missed),
    "redress.case.message_posted": (events.MessagePosted, _message_posted),
}

ROUTED_EVENT_TYPES: Final = frozenset(_ROUTES)
