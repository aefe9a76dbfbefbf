"""Opening a case and handling commands: the case state machine.

`handle` mutates the case in place and returns the events that record what happened. Every check
runs before the first change, so a refused command (ActionNotAllowed, DomainRuleBroken) leaves the
case exactly as it was and the caller can simply not persist anything.
"""

from __future__ import annotations

from datetime import datetime

from shared.events import (
    CaseAssigned,
    CaseEvent,
    CaseOpened,
    Channel,
    ClosureReason,
    EligibilityFlags,
    MessagePosted,
    Organisation,
    Stage,
    ThemesTagged,
)
from shared.working_days import add_working_days, working_days_between

from .commands import (
    Accept,
    Actor,
    AddOrganisation,
    ArrangeDraftDate,
    Assign,
    Command,
    CompleteReview,
    ConfirmOrganisation,
    Decline,
    IssueDraft,
    IssueFinal,
    Pause,
    PostMessage,
    ReceiveEvidence,
    RecordEvidenceUnavailable,
    RecordExpertAdvice,
    RequestEvidence,
    RequestReview,
    ResolveEarly,
    Resume,
    SubmitComments,
    TagThemes,
    UpdateRecommendation,
    Withdraw,
)
from .confirming import confirm_organisation
from .deadlines import settle
from .deciding import (
    complete_review,
    issue_final,
    request_review,
    update_recommendation,
)
from .emit import common_fields
from .errors import ActionNotAllowed, DomainRuleBroken
from .investigation import (
    add_organisation,
    arrange_draft_date,
    issue_draft,
    latest_draft_send_date,
    receive_evidence,
    record_evidence_unavailable,
    record_expert_advice,
    release_held_draft,
    request_evidence,
    submit_comments,
)
from .model import (
    ASSESSMENT_DEADLINE_ID,
    COMMENT_WINDOW_ID,
    PAUSABLE_KINDS,
    Case,
    Caseworker,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    StageEntry,
    evidence_deadline_id,
)
from .permissions import allowed_actions, permitted, time_rule_broken
from .rules import CaseworkRules
from .timekeeping import uk_date
from .tracking import next_milestone
from .transitions import (
    SYSTEM_ACTOR,
    Context,
    close_case,
    move_to_stage,
    open_review_window,
    record_audit,
)

__all__ = ["SYSTEM_ACTOR", "handle", "latest_draft_send_date", "open_case", "release_held_draft"]


def open_case(
    reference: str,
    organisation: Organisation,
    channel: Channel,
    received_at: datetime,
    eligibility: EligibilityFlags,
    extra_time: bool,
    rules: CaseworkRules,
    *,
    actor: Actor = SYSTEM_ACTOR,
) -> tuple[Case, list[CaseEvent]]:
    """A new case in assessment, with the assessment-decision deadline counted from receipt."""
    received_on = uk_date(received_at)
    assessment_due = add_working_days(
        received_on, rules.assessment_decision_target_working_days, rules.nation
    )
    case = Case(
        reference=reference,
        organisation=organisation,
        channel=channel,
        stage=Stage.ASSESSMENT,
        opened_at=received_at,
        history=[StageEntry(stage=Stage.ASSESSMENT, at=received_at)],
        deadlines=[
            Deadline(
                deadline_id=ASSESSMENT_DEADLINE_ID,
                kind=DeadlineKind.ASSESSMENT_DECISION,
                due_by=assessment_due,
            )
        ],
        extra_time=extra_time,
        eligibility=eligibility,
    )
    record_audit(case, actor, received_at, "open", from_stage=Stage.ASSESSMENT)
    opened = CaseOpened(
        **common_fields(case, received_at),
        channel=channel,
        received_at=received_at,
        next_milestone=next_milestone(case, received_on),
    )
    return case, [opened]


def handle(
    case: Case, command: Command, actor: Actor, now: datetime, rules: CaseworkRules
) -> list[CaseEvent]:
    """Apply `command` to `case` (in place) and return the resulting events.

    Raises ActionNotAllowed when the action is not on offer for this actor in this stage, and
    DomainRuleBroken when a casework rule refuses it; either way the case is unchanged.
    """
    today = uk_date(now)
    if not permitted(case, command.action, actor.role):
        raise ActionNotAllowed(
            command.action, case.stage, allowed_actions(case, now, rules, actor.role)
        )
    broken = time_rule_broken(case, command.action, today, rules)
    if broken is not None:
        raise DomainRuleBroken(broken)
    from_stage = case.stage
    events = _dispatch(case, command, Context(actor=actor, now=now, today=today, rules=rules))
    record_audit(
        case, actor, now, command.action, from_stage=from_stage, reason=_audit_reason(command)
    )
    return events


def _dispatch(case: Case, command: Command, ctx: Context) -> list[CaseEvent]:
    match command:
        case Assign():
            return _assign(case, command, ctx)
        case Accept():
            return _accept(case, ctx)
        case Decline():
            return _decline(case, command, ctx)
        case ResolveEarly():
            return _resolve_early(case, ctx)
        case Withdraw():
            return close_case(case, ClosureReason.WITHDRAWN, ctx)
        case RequestEvidence():
            return request_evidence(case, command, ctx)
        case ReceiveEvidence():
            return receive_evidence(case, command, ctx)
        case RecordEvidenceUnavailable():
            return record_evidence_unavailable(case, command, ctx)
        case RecordExpertAdvice():
            return record_expert_advice(case, command, ctx)
        case AddOrganisation():
            return add_organisation(case, command, ctx)
        case ConfirmOrganisation():
            return confirm_organisation(case, command, ctx.now)
        case ArrangeDraftDate():
            return arrange_draft_date(case, command, ctx)
        case IssueDraft():
            return issue_draft(case, command, ctx)
        case SubmitComments():
            return submit_comments(case, ctx)
        case IssueFinal():
            return issue_final(case, command, ctx)
        case RequestReview():
            return request_review(case, command, ctx)
        case CompleteReview():
            return complete_review(case, command, ctx)
        case UpdateRecommendation():
            return update_recommendation(case, command, ctx)
        case Pause():
            case.paused_since = ctx.now
            return []
        case Resume():
            return _resume(case, ctx)
        case TagThemes():
            return _tag_themes(case, command, ctx)
        case PostMessage():
            return _post_message(case, command, ctx)


def _audit_reason(command: Command) -> str | None:
    match command:
        case Decline():
            return command.reason.value
        case Pause():
            return command.reason
        case IssueFinal():
            return command.outcome.value
        case CompleteReview():
            return command.outcome
        case UpdateRecommendation():
            return f"{command.recommendation_id}: {command.status.value}"
        case RequestReview():
            return ", ".join(ground.value for ground in command.grounds)
        case AddOrganisation():
            return command.name
        case RecordEvidenceUnavailable():
            return command.request_id
        case RecordExpertAdvice():
            return command.adviser_role
        case ArrangeDraftDate():
            return command.send_on.isoformat()
        case _:
            return None


# ------------------------------------------------------------------------------------------
# Assessment.
# ------------------------------------------------------------------------------------------


def _assign(case: Case, command: Assign, ctx: Context) -> list[CaseEvent]:
    if case.caseworker is not None and case.caseworker.id == command.caseworker_id:
        raise DomainRuleBroken(f"The case is already assigned to {command.caseworker_id}.")
    case.caseworker = Caseworker(id=command.caseworker_id, name=command.caseworker_name)
    return [
        CaseAssigned(
            **common_fields(case, ctx.now),
            caseworker_id=command.caseworker_id,
            caseworker_name=command.caseworker_name,
        )
    ]


def _accept(case: Case, ctx: Context) -> list[CaseEvent]:
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    return [move_to_stage(case, Stage.INVESTIGATION, ctx)]


def _decline(case: Case, command: Decline, ctx: Context) -> list[CaseEvent]:
    # A decision not to investigate can be reviewed, like a final decision
    # (docs/reference/domain-rules.md §1.8).
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    open_review_window(case, ctx)
    return close_case(case, ClosureReason.DECLINED, ctx, decline_reason=command.reason)


def _resolve_early(case: Case, ctx: Context) -> list[CaseEvent]:
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    return close_case(case, ClosureReason.RESOLVED_EARLY, ctx)


# ------------------------------------------------------------------------------------------
# Pausing, themes, messages.
# ------------------------------------------------------------------------------------------


def _resume(case: Case, ctx: Context) -> list[CaseEvent]:
    """Restart the clock: the ombudsman's own deadlines move on by the working days paused."""
    assert case.paused_since is not None, "resume is offered only while paused"
    paused_days = working_days_between(uk_date(case.paused_since), ctx.today, ctx.rules.nation)
    case.paused_since = None
    if paused_days == 0:
        return []
    for deadline in case.deadlines:
        if deadline.is_open and deadline.kind in PAUSABLE_KINDS:
            deadline.due_by = add_working_days(deadline.due_by, paused_days, ctx.rules.nation)
    _copy_due_dates_to_records(case)
    return []


def _copy_due_dates_to_records(case: Case) -> None:
    window = case.deadline(COMMENT_WINDOW_ID)
    if case.draft is not None and window is not None:
        case.draft.comments_due_by = window.due_by
    for request in case.evidence_requests:
        deadline = case.deadline(evidence_deadline_id(request.request_id))
        if deadline is not None:
            request.due_by = deadline.due_by


def _tag_themes(case: Case, command: TagThemes, ctx: Context) -> list[CaseEvent]:
    # Themes feed learning reports; normalised so "Communication " and "communication" match.
    normalised = {" ".join(theme.split()).lower() for theme in command.themes}
    case.themes = sorted(set(case.themes) | {theme for theme in normalised if theme})
    return [ThemesTagged(**common_fields(case, ctx.now), themes=list(case.themes))]


def _post_message(case: Case, command: PostMessage, ctx: Context) -> list[CaseEvent]:
    if not ctx.actor.is_staff and command.direction != "to_caseworker":
        raise DomainRuleBroken("A complainant's message can only go to the caseworker.")
    case.messages_posted += 1
    message_id = f"{case.reference}-M{case.messages_posted}"
    return [
        MessagePosted(
            **common_fields(case, ctx.now), message_id=message_id, direction=command.direction
        )
    ]
