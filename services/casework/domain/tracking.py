"""What the complainant sees: where the case is, in plain English, and what happens next."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from shared.events import ClosureReason, Milestone, Outcome, Stage

from .explaining import format_day
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
    DeadlineKind.DRAFT_RELEASE: "We send you our draft decision, on the day you arranged",
}

# Read as "... your complaint about <organisation>."
FINDING_WORDS: dict[Outcome, str] = {
    Outcome.UPHELD: "We upheld your complaint about",
    Outcome.PARTLY_UPHELD: "We upheld part of your complaint about",
    Outcome.NOT_UPHELD: "We did not uphold your complaint about",
}

EVIDENCE_GAP_INTRO = (
    "We could not get some of the evidence we asked for. Here is what was missing and how our "
    "decision deals with it."
)


class MilestoneView(TypedDict):
    name: str
    due_by: date


class DraftArrangementView(TypedDict):
    send_on: date
    ready: bool
    description: str


class EvidenceGapView(TypedDict):
    what_we_asked_for: str
    how_our_decision_deals_with_it: str


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


def draft_arrangement(case: Case, today: date) -> DraftArrangementView | None:
    """The day the complainant arranged for their draft, while it is still to come."""
    if case.held_draft is not None:
        day = format_day(case.held_draft.send_on)
        return DraftArrangementView(
            send_on=case.held_draft.send_on,
            ready=True,
            description=f"Our draft decision is ready. We will send your draft on {day}, "
            "the day you chose.",
        )
    if case.stage is Stage.INVESTIGATION and case.draft_send_on is not None:
        if case.draft_send_on < today:
            return None  # the day has passed: the draft goes as soon as it is ready
        day = format_day(case.draft_send_on)
        return DraftArrangementView(
            send_on=case.draft_send_on,
            ready=False,
            description=f"You asked for your draft decision on {day}. If it is ready by then, "
            f"we will send your draft on {day}; if not, we will send it as soon as it is ready.",
        )
    return None


def evidence_gaps(case: Case) -> list[EvidenceGapView]:
    """Evidence that could not be obtained, for the final decision (empty before it)."""
    if case.decision is None:
        return []
    return [
        EvidenceGapView(
            what_we_asked_for=request.description,
            how_our_decision_deals_with_it=request.unavailable.how_decision_deals_with_it,
        )
        for request in case.evidence_requests
        if request.unavailable is not None
    ]
