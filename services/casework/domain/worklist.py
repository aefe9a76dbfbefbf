"""Which deadline a case's work list row shows: the earliest one someone still has to act on.

An open deadline counts until it is met. A missed one stays on the list while what it was for is
still owed (the assessment not yet decided, the evidence not yet in, the recommendation not yet
done, the final decision not yet issued after the comment window), so an overdue case stays
visibly overdue instead of dropping off the list when the scheduler marks the deadline missed.
"""

from __future__ import annotations

from datetime import date

from shared.events import RecommendationStatus, Stage

from .model import (
    ASSESSMENT_DEADLINE_ID,
    COMMENT_WINDOW_ID,
    Case,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    evidence_deadline_id,
    recommendation_deadline_id,
)

# The complainant's own window and the held draft's day need nobody on the staff to act.
_NOT_WORK = frozenset({DeadlineKind.REVIEW_REQUEST_WINDOW, DeadlineKind.DRAFT_RELEASE})


def work_deadline(case: Case) -> Deadline | None:
    """The deadline the work lists sort on, or None when nothing is owed."""
    owed = [d for d in case.deadlines if d.kind not in _NOT_WORK and _still_owed(case, d)]
    return min(owed, key=lambda d: d.due_by, default=None)


def _still_owed(case: Case, deadline: Deadline) -> bool:
    if deadline.status is DeadlineStatus.OPEN:
        return True
    if deadline.status is not DeadlineStatus.MISSED:
        return False
    if deadline.deadline_id == ASSESSMENT_DEADLINE_ID:
        return case.stage is Stage.ASSESSMENT
    if deadline.deadline_id == COMMENT_WINDOW_ID:
        return case.stage is Stage.DRAFT_DECISION
    for request in case.evidence_requests:
        if evidence_deadline_id(request.request_id) == deadline.deadline_id:
            return request.is_outstanding
    for recommendation in case.recommendations:
        if recommendation_deadline_id(recommendation.recommendation_id) == deadline.deadline_id:
            return recommendation.status is RecommendationStatus.OVERDUE
    return False


def is_overdue(due_by: date | None, today: date) -> bool:
    """A deadline's due date is the last day allowed (deadlines.py): overdue from the day after."""
    return due_by is not None and due_by < today
