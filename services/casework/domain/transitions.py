"""What several commands share: who acts and when, and the stage moves (entering a stage,
closing the case, opening the review window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.events import (
    CaseClosed,
    CaseEvent,
    ClosureReason,
    DeclineReason,
    Stage,
    StageChanged,
)
from shared.working_days import add_months, add_working_days, working_days_between

from .commands import (
    Actor,
)
from .deadlines import settle
from .emit import common_fields
from .model import (
    DRAFT_RELEASE_ID,
    PAUSABLE_KINDS,
    REVIEW_WINDOW_ID,
    AuditEntry,
    Case,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    StageEntry,
)
from .rules import CaseworkRules
from .timekeeping import uk_date
from .tracking import next_milestone

SYSTEM_ACTOR = Actor(id="system", name="Redress", role="system")


@dataclass(frozen=True)
class Context:
    actor: Actor
    now: datetime
    today: date
    rules: CaseworkRules


def record_audit(
    case: Case,
    actor: Actor,
    at: datetime,
    action: str,
    *,
    from_stage: Stage,
    reason: str | None = None,
) -> None:
    """Write one line of the case's audit trail: who did what, when, and the stage it left the
    case in. Every entry is made here, the system's (opening, a held draft sent, a failed
    delivery noted) and a person's alike, so they all read the same."""
    case.audit.append(
        AuditEntry(
            at=at,
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            from_stage=from_stage,
            to_stage=case.stage,
            reason=reason,
        )
    )


def move_to_stage(case: Case, to_stage: Stage, ctx: Context) -> StageChanged:
    """Enter a new stage. Call after the deadlines are set, so the next milestone is right."""
    from_stage = case.stage
    case.stage = to_stage
    case.history.append(StageEntry(stage=to_stage, at=ctx.now))
    return StageChanged(
        **common_fields(case, ctx.now),
        from_stage=from_stage,
        to_stage=to_stage,
        next_milestone=next_milestone(case, ctx.today),
    )


def close_case(
    case: Case,
    reason: ClosureReason,
    ctx: Context,
    decline_reason: DeclineReason | None = None,
) -> list[CaseEvent]:
    for deadline in case.deadlines:
        if deadline.kind in PAUSABLE_KINDS:
            settle(deadline, DeadlineStatus.CANCELLED)
    # A draft waiting for its day is never sent once the case has closed (say it was withdrawn).
    settle(case.deadline(DRAFT_RELEASE_ID), DeadlineStatus.CANCELLED)
    case.held_draft = None
    case.closure_reason = reason
    case.decline_reason = decline_reason
    case.closed_at = ctx.now
    case.paused_since = None
    stage_changed = move_to_stage(case, Stage.CLOSED, ctx)
    closed = CaseClosed(
        **common_fields(case, ctx.now),
        closure_reason=reason,
        decline_reason=decline_reason,
        opened_at=case.opened_at,
        working_days_open=working_days_between(
            uk_date(case.opened_at), ctx.today, ctx.rules.nation
        ),
    )
    return [stage_changed, closed]


def open_review_window(case: Case, ctx: Context) -> date:
    due = add_months(ctx.today, ctx.rules.review_request_window_months)
    if case.extra_time:
        due = add_working_days(
            due, ctx.rules.review_window_extension_working_days, ctx.rules.nation
        )
    case.deadlines.append(
        Deadline(deadline_id=REVIEW_WINDOW_ID, kind=DeadlineKind.REVIEW_REQUEST_WINDOW, due_by=due)
    )
    return due
