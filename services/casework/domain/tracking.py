"""What the complainant sees: where the case is, in plain English, and what happens next."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from shared.events import ClosureReason, Milestone, Stage

from .model import Case, DeadlineKind

STAGE_DESCRIPTIONS: dict[Stage, str] = {
    Stage.ASSESSMENT: "We are looking at your complaint to decide whether we can investigate it.",
    Stage.INVESTIGATION: (
        "We are investigating your complaint. We are gathering information from you and from "
        "the organisation."
    ),
    Stage.DRAFT_DECISION: (
        "We have shared our draft decision with you. You can comment on it before we make our "
        "final decision."
    ),
    Stage.REVIEW: "You asked us to review our decision. Our review team is looking at it.",
    Stage.CLOSED: "We have finished looking at your complaint.",
}

CLOSED_DESCRIPTIONS: dict[ClosureReason, str] = {
    ClosureReason.UPHELD: "We have made our final decision: we upheld your complaint.",
    ClosureReason.PARTLY_UPHELD: (
        "We have made our final decision: we upheld part of your complaint."
    ),
    ClosureReason.NOT_UPHELD: "We have made our final decision: we did not uphold your complaint.",
    ClosureReason.DECLINED: "We have decided not to investigate your complaint.",
    ClosureReason.RESOLVED_EARLY: "Your complaint was resolved without an investigation.",
    ClosureReason.WITHDRAWN: "Your complaint was withdrawn, so we have closed it.",
}

PAUSED_DESCRIPTION = "Work on your case is on hold for now. We will tell you when it restarts."

MILESTONE_NAMES: dict[DeadlineKind, str] = {
    DeadlineKind.ASSESSMENT_DECISION: "Our decision on whether we will investigate",
    DeadlineKind.COMMENT_WINDOW: "Last day to comment on our draft decision",
    DeadlineKind.EVIDENCE: "Information we asked for is due",
    DeadlineKind.RECOMMENDATION: "The organisation should have done what we recommended",
    DeadlineKind.REVIEW_REQUEST_WINDOW: "Last day to ask for a review of our decision",
}


class MilestoneView(TypedDict):
    name: str
    due_by: date


class TrackingView(TypedDict):
    stage: Stage
    stage_description: str
    paused: bool
    next_milestone: MilestoneView | None


def stage_description(case: Case) -> str:
    if case.is_paused:
        return PAUSED_DESCRIPTION
    if case.stage is Stage.CLOSED and case.closure_reason is not None:
        return CLOSED_DESCRIPTIONS[case.closure_reason]
    return STAGE_DESCRIPTIONS[case.stage]


def next_milestone(case: Case, today: date) -> Milestone | None:
    """The earliest open deadline still ahead; none while paused, as its date will move."""
    if case.is_paused:
        return None
    upcoming = [d for d in case.deadlines if d.is_open and d.due_by >= today]
    if not upcoming:
        return None
    soonest = min(upcoming, key=lambda d: d.due_by)
    return Milestone(name=MILESTONE_NAMES[soonest.kind], due_by=soonest.due_by)


def tracking_view(case: Case, today: date) -> TrackingView:
    """The parts of the complainant's tracking page that need casework rules."""
    milestone = next_milestone(case, today)
    return TrackingView(
        stage=case.stage,
        stage_description=stage_description(case),
        paused=case.is_paused,
        next_milestone=(
            MilestoneView(name=milestone.name, due_by=milestone.due_by) if milestone else None
        ),
    )
