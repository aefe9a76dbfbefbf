"""The words the complainant's messages use for stages, outcomes, reasons, recommendations and
dates: plain English in one place, so the templates and the Welsh versions read them alike."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from shared.events import (
    ClosureReason,
    DeclineReason,
    Outcome,
    RecommendationStatus,
    RecommendationType,
    Stage,
)

UK_TIMEZONE: Final = ZoneInfo("Europe/London")

# PHSO gives one month from a decision to ask for a review (docs/reference/domain-rules.md §0
# `phso.review.request_window`, §1.8). Final decisions carry their own date; a decision
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


def format_date(value: date | datetime) -> str:
    """'5 January 2027'; a datetime counts by its UK calendar day."""
    if isinstance(value, datetime):
        value = value.astimezone(UK_TIMEZONE).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def describe_milestone(name: str) -> str:
    return MILESTONE_DESCRIPTIONS.get(name, "the " + " ".join(name.replace("-", "_").split("_")))
