"""The final decision, its recommendations and their follow-up, and the review of a decision."""

from __future__ import annotations

from shared.events import (
    CaseEvent,
    ClosureReason,
    FinalDecisionIssued,
    OrganisationFinding,
    RecommendationMade,
    RecommendationStatus,
    RecommendationUpdated,
    ReviewCompleted,
    ReviewRequested,
    Stage,
)

from . import explaining
from .commands import (
    CompleteReview,
    IssueFinal,
    RequestReview,
    UpdateRecommendation,
)
from .deadlines import settle
from .emit import common_fields
from .errors import DomainRuleBroken
from .findings import (
    findings_for,
    make_recommendation,
    recommendation_targets,
)
from .model import (
    Case,
    DeadlineStatus,
    Decision,
    Review,
    ReviewGround,
    recommendation_deadline_id,
)
from .transitions import Context, close_case, move_to_stage, open_review_window

# Which recommendation statuses a caseworker may move to from each status. OVERDUE is set only
# by the deadline sweep; IMPLEMENTED and NOT_COMPLIED are final. Accepted and implemented are
# separate states on purpose (docs/reference/domain-rules.md §1.4: agreeing is not doing).
_RECOMMENDATION_MOVES: dict[RecommendationStatus, frozenset[RecommendationStatus]] = {
    RecommendationStatus.MADE: frozenset(
        {
            RecommendationStatus.ACCEPTED,
            RecommendationStatus.IMPLEMENTED,
            RecommendationStatus.NOT_COMPLIED,
        }
    ),
    RecommendationStatus.ACCEPTED: frozenset(
        {RecommendationStatus.IMPLEMENTED, RecommendationStatus.NOT_COMPLIED}
    ),
    RecommendationStatus.OVERDUE: frozenset(
        {RecommendationStatus.IMPLEMENTED, RecommendationStatus.NOT_COMPLIED}
    ),
    RecommendationStatus.IMPLEMENTED: frozenset(),
    RecommendationStatus.NOT_COMPLIED: frozenset(),
}


NOTHING_CHANGED_SINCE_DRAFT = "Nothing changed between our draft decision and this decision."


def _changes_since_draft(case: Case, command: IssueFinal) -> str:
    """What the decision says about the draft; refuses a changed decision that does not say why."""
    content = case.draft.content if case.draft else None
    if content is None:
        return command.changes_since_draft or ""
    differs = content.proposed_outcome is not command.outcome or sorted(
        r.type for r in content.recommendations
    ) != sorted(r.type for r in command.recommendations)
    if differs and command.changes_since_draft is None:
        raise DomainRuleBroken(
            "The outcome or the recommendations differ from the draft decision; say what "
            "changed and why in changes_since_draft."
        )
    return command.changes_since_draft or NOTHING_CHANGED_SINCE_DRAFT


def issue_final(case: Case, command: IssueFinal, ctx: Context) -> list[CaseEvent]:
    changes = _changes_since_draft(case, command)
    findings = findings_for(case, command.outcome, command.summary, command.findings)
    targets = recommendation_targets(
        case, command.outcome, command.recommendations, findings, ctx.today
    )
    review_due = open_review_window(case, ctx)
    case.decision = Decision(
        outcome=command.outcome,
        summary=command.summary,
        decided_at=ctx.now,
        review_request_due_by=review_due,
        how_we_reached_it=command.how_we_reached_it
        or explaining.how_we_reached_it(case, [f.organisation for f in findings]),
        next_steps=explaining.next_steps(
            case, review_due, bool(command.recommendations), command.next_steps
        ),
        findings=findings,
        changes_since_draft=changes,
    )
    made = [
        make_recommendation(case, item, organisation, ctx)
        for item, organisation in zip(command.recommendations, targets, strict=True)
    ]
    closing = close_case(case, ClosureReason(command.outcome.value), ctx)
    issued = FinalDecisionIssued(
        **common_fields(case, ctx.now),
        outcome=command.outcome,
        review_request_due_by=review_due,
        recommendations=[r.summary() for r in made],
        findings=[
            OrganisationFinding(organisation=f.organisation, outcome=f.outcome) for f in findings
        ],
    )
    made_events = [
        RecommendationMade(**common_fields(case, ctx.now), recommendation=r.summary()) for r in made
    ]
    return [issued, *made_events, *closing]


def request_review(case: Case, command: RequestReview, ctx: Context) -> list[CaseEvent]:
    if not command.grounds:
        valid = ", ".join(ground.value for ground in ReviewGround)
        raise DomainRuleBroken(
            f"A review needs at least one ground ({valid}); a review is not a reinvestigation."
        )
    grounds = sorted(set(command.grounds))
    case.review = Review(requested_at=ctx.now, grounds=grounds, reason=command.reason)
    settle(case.review_window, DeadlineStatus.MET)
    stage_changed = move_to_stage(case, Stage.REVIEW, ctx)
    requested = ReviewRequested(
        **common_fields(case, ctx.now), grounds=[ground.value for ground in grounds]
    )
    return [requested, stage_changed]


def complete_review(case: Case, command: CompleteReview, ctx: Context) -> list[CaseEvent]:
    # Back to closed without a second CaseClosed: the case was closed once, and counting it
    # again would double the closure figures in reports.
    assert case.review is not None, "a case in review always has a review"
    case.review.completed_at = ctx.now
    case.review.outcome = command.outcome
    stage_changed = move_to_stage(case, Stage.CLOSED, ctx)
    completed = ReviewCompleted(**common_fields(case, ctx.now), review_outcome=command.outcome)
    return [completed, stage_changed]


def update_recommendation(
    case: Case, command: UpdateRecommendation, ctx: Context
) -> list[CaseEvent]:
    recommendation = case.recommendation(command.recommendation_id)
    if recommendation is None:
        raise DomainRuleBroken(f"There is no recommendation {command.recommendation_id}.")
    previous = recommendation.status
    if command.status not in _RECOMMENDATION_MOVES[previous]:
        allowed = ", ".join(sorted(s.value for s in _RECOMMENDATION_MOVES[previous])) or "none"
        raise DomainRuleBroken(
            f"A recommendation that is {previous.value} cannot become {command.status.value} "
            f"(possible: {allowed})."
        )
    recommendation.status = command.status
    deadline = case.deadline(recommendation_deadline_id(recommendation.recommendation_id))
    if command.status is RecommendationStatus.IMPLEMENTED:
        settle(deadline, DeadlineStatus.MET)
    elif command.status is RecommendationStatus.NOT_COMPLIED:
        settle(deadline, DeadlineStatus.CANCELLED)
    return [
        RecommendationUpdated(
            **common_fields(case, ctx.now),
            recommendation=recommendation.summary(),
            previous_status=previous,
        )
    ]
