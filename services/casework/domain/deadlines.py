"""Deadline bookkeeping: the daily sweep for missed deadlines, and stopping the clock on pause."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.events import CaseEvent, DeadlineMissed, RecommendationStatus, RecommendationUpdated

from .emit import common_fields
from .model import (
    PAUSABLE_KINDS,
    UNREPORTED_KINDS,
    Case,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Recommendation,
    recommendation_deadline_id,
)
from .timekeeping import start_of_uk_day

# Recommendations in these states still owe the complainant something, so can fall overdue.
_OUTSTANDING = frozenset({RecommendationStatus.MADE, RecommendationStatus.ACCEPTED})


def settle(deadline: Deadline | None, status: DeadlineStatus) -> None:
    """Close an open deadline (met or cancelled); a missed one stays missed."""
    if deadline is not None and deadline.is_open:
        deadline.status = status


def missed_deadlines(case: Case, today: date) -> list[CaseEvent]:
    """Mark open deadlines that ended before `today` as missed and report each one once.

    A recommendation past its due date also becomes overdue (RecommendationUpdated). The review
    window is informational and never reported. While the case is paused the ombudsman's own
    deadlines are not reported: the clock is stopped and `resume` moves them.
    Mutates `case`; a second call on the same day returns nothing.
    """
    events: list[CaseEvent] = []
    for deadline in case.deadlines:
        if not _is_missed(case, deadline, today):
            continue
        deadline.status = DeadlineStatus.MISSED
        missed_at = start_of_uk_day(deadline.due_by + timedelta(days=1))
        events.append(
            DeadlineMissed(
                **common_fields(case, missed_at),
                deadline_id=deadline.deadline_id,
                deadline=deadline.kind.value,
                due_by=deadline.due_by,
            )
        )
        if deadline.kind is DeadlineKind.RECOMMENDATION:
            events.extend(_mark_overdue(case, deadline, missed_at))
    return events


def _is_missed(case: Case, deadline: Deadline, today: date) -> bool:
    if not deadline.is_open or deadline.kind in UNREPORTED_KINDS:
        return False
    if case.is_paused and deadline.kind in PAUSABLE_KINDS:
        return False
    # The due date is the last day allowed, so a deadline is missed from the day after.
    return deadline.due_by < today


def _mark_overdue(case: Case, deadline: Deadline, missed_at: datetime) -> list[CaseEvent]:
    recommendation = _recommendation_for(case, deadline)
    if recommendation is None or recommendation.status not in _OUTSTANDING:
        return []
    previous = recommendation.status
    recommendation.status = RecommendationStatus.OVERDUE
    return [
        RecommendationUpdated(
            **common_fields(case, missed_at),
            recommendation=recommendation.summary(),
            previous_status=previous,
        )
    ]


def _recommendation_for(case: Case, deadline: Deadline) -> Recommendation | None:
    return next(
        (
            r
            for r in case.recommendations
            if recommendation_deadline_id(r.recommendation_id) == deadline.deadline_id
        ),
        None,
    )
