"""Opening a case and handling commands: the case state machine.

`handle` mutates the case in place and returns the events that record what happened. Every check
runs before the first change, so a refused command (ActionNotAllowed, DomainRuleBroken) leaves the
case exactly as it was and the caller can simply not persist anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.events import (
    CaseAssigned,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    Channel,
    ClosureReason,
    CommentsReceived,
    DeclineReason,
    DraftDecisionIssued,
    EligibilityFlags,
    EvidenceRequested,
    FinalDecisionIssued,
    MessagePosted,
    Organisation,
    OrganisationAdded,
    OrganisationFinding,
    Outcome,
    RecommendationMade,
    RecommendationStatus,
    RecommendationUpdated,
    ReviewCompleted,
    ReviewRequested,
    Stage,
    StageChanged,
    ThemesTagged,
)
from shared.working_days import add_months, add_working_days, working_days_between

from . import explaining
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
    FindingInput,
    IssueDraft,
    IssueFinal,
    Pause,
    PostMessage,
    ReceiveEvidence,
    RecommendationInput,
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
from .emit import common_fields
from .errors import ActionNotAllowed, DomainRuleBroken
from .model import (
    ASSESSMENT_DEADLINE_ID,
    COMMENT_WINDOW_ID,
    DRAFT_RELEASE_ID,
    PAUSABLE_KINDS,
    REVIEW_WINDOW_ID,
    AuditEntry,
    Case,
    Caseworker,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    DraftContent,
    DraftDecision,
    EvidenceRequest,
    EvidenceUnavailable,
    ExpertAdvice,
    Finding,
    HeldDraft,
    ProposedRecommendation,
    Recommendation,
    Review,
    ReviewGround,
    StageEntry,
    evidence_deadline_id,
    recommendation_deadline_id,
)
from .permissions import allowed_actions, permitted, time_rule_broken
from .rules import CaseworkRules
from .timekeeping import start_of_uk_day, uk_date
from .tracking import next_milestone

SYSTEM_ACTOR = Actor(id="system", name="Redress", role="system")

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


@dataclass(frozen=True)
class _Context:
    actor: Actor
    now: datetime
    today: date
    rules: CaseworkRules


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
    case.audit.append(
        AuditEntry(
            at=received_at,
            actor_id=actor.id,
            actor_name=actor.name,
            action="open",
            from_stage=Stage.ASSESSMENT,
            to_stage=Stage.ASSESSMENT,
        )
    )
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
    events = _dispatch(case, command, _Context(actor=actor, now=now, today=today, rules=rules))
    case.audit.append(
        AuditEntry(
            at=now,
            actor_id=actor.id,
            actor_name=actor.name,
            action=command.action,
            from_stage=from_stage,
            to_stage=case.stage,
            reason=_audit_reason(command),
        )
    )
    return events


def _dispatch(case: Case, command: Command, ctx: _Context) -> list[CaseEvent]:
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
            return _close(case, ClosureReason.WITHDRAWN, ctx)
        case RequestEvidence():
            return _request_evidence(case, command, ctx)
        case ReceiveEvidence():
            return _receive_evidence(case, command, ctx)
        case RecordEvidenceUnavailable():
            return _record_evidence_unavailable(case, command, ctx)
        case RecordExpertAdvice():
            return _record_expert_advice(case, command, ctx)
        case AddOrganisation():
            return _add_organisation(case, command, ctx)
        case ConfirmOrganisation():
            return confirm_organisation(case, command, ctx.now)
        case ArrangeDraftDate():
            return _arrange_draft_date(case, command, ctx)
        case IssueDraft():
            return _issue_draft(case, command, ctx)
        case SubmitComments():
            return _submit_comments(case, ctx)
        case IssueFinal():
            return _issue_final(case, command, ctx)
        case RequestReview():
            return _request_review(case, command, ctx)
        case CompleteReview():
            return _complete_review(case, command, ctx)
        case UpdateRecommendation():
            return _update_recommendation(case, command, ctx)
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
# Stage moves shared by several commands.
# ------------------------------------------------------------------------------------------


def _move(case: Case, to_stage: Stage, ctx: _Context) -> StageChanged:
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


def _close(
    case: Case,
    reason: ClosureReason,
    ctx: _Context,
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
    stage_changed = _move(case, Stage.CLOSED, ctx)
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


def _open_review_window(case: Case, ctx: _Context) -> date:
    due = add_months(ctx.today, ctx.rules.review_request_window_months)
    if case.extra_time:
        due = add_working_days(
            due, ctx.rules.review_window_extension_working_days, ctx.rules.nation
        )
    case.deadlines.append(
        Deadline(deadline_id=REVIEW_WINDOW_ID, kind=DeadlineKind.REVIEW_REQUEST_WINDOW, due_by=due)
    )
    return due


# ------------------------------------------------------------------------------------------
# Assessment.
# ------------------------------------------------------------------------------------------


def _assign(case: Case, command: Assign, ctx: _Context) -> list[CaseEvent]:
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


def _accept(case: Case, ctx: _Context) -> list[CaseEvent]:
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    return [_move(case, Stage.INVESTIGATION, ctx)]


def _decline(case: Case, command: Decline, ctx: _Context) -> list[CaseEvent]:
    # A decision not to investigate can be reviewed, like a final decision
    # (docs/reference/domain-rules.md §1.8).
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    _open_review_window(case, ctx)
    return _close(case, ClosureReason.DECLINED, ctx, decline_reason=command.reason)


def _resolve_early(case: Case, ctx: _Context) -> list[CaseEvent]:
    settle(case.deadline(ASSESSMENT_DEADLINE_ID), DeadlineStatus.MET)
    return _close(case, ClosureReason.RESOLVED_EARLY, ctx)


# ------------------------------------------------------------------------------------------
# Investigation and draft decision.
# ------------------------------------------------------------------------------------------


def _request_evidence(case: Case, command: RequestEvidence, ctx: _Context) -> list[CaseEvent]:
    if command.due_on is not None and command.due_on < ctx.today:
        raise DomainRuleBroken(f"Evidence cannot be due in the past ({command.due_on}).")
    due = command.due_on or add_working_days(
        ctx.today, ctx.rules.evidence_due_working_days, ctx.rules.nation
    )
    request_id = f"{case.reference}-E{len(case.evidence_requests) + 1}"
    case.evidence_requests.append(
        EvidenceRequest(
            request_id=request_id,
            description=command.description,
            requested_at=ctx.now,
            due_by=due,
        )
    )
    case.deadlines.append(
        Deadline(
            deadline_id=evidence_deadline_id(request_id), kind=DeadlineKind.EVIDENCE, due_by=due
        )
    )
    return [EvidenceRequested(**common_fields(case, ctx.now), request_id=request_id, due_by=due)]


def _receive_evidence(case: Case, command: ReceiveEvidence, ctx: _Context) -> list[CaseEvent]:
    request = case.evidence_request(command.request_id)
    if request is None:
        raise DomainRuleBroken(f"There is no evidence request {command.request_id}.")
    if request.received_at is not None:
        raise DomainRuleBroken(f"Evidence for {command.request_id} was already received.")
    if request.unavailable is not None:
        raise DomainRuleBroken(f"Evidence for {command.request_id} was recorded as unavailable.")
    request.received_at = ctx.now
    settle(case.deadline(evidence_deadline_id(request.request_id)), DeadlineStatus.MET)
    return []


def _record_evidence_unavailable(
    case: Case, command: RecordEvidenceUnavailable, ctx: _Context
) -> list[CaseEvent]:
    request = case.evidence_request(command.request_id)
    if request is None:
        raise DomainRuleBroken(f"There is no evidence request {command.request_id}.")
    if not request.is_outstanding:
        raise DomainRuleBroken(
            f"Evidence request {command.request_id} is already settled (received or unavailable)."
        )
    request.unavailable = EvidenceUnavailable(
        recorded_at=ctx.now, how_decision_deals_with_it=command.how_decision_deals_with_it
    )
    # Nothing more will come, so the organisation cannot be late with it.
    settle(case.deadline(evidence_deadline_id(request.request_id)), DeadlineStatus.CANCELLED)
    return []


def _record_expert_advice(
    case: Case, command: RecordExpertAdvice, ctx: _Context
) -> list[CaseEvent]:
    case.expert_advice.append(
        ExpertAdvice(
            advice_id=f"{case.reference}-X{len(case.expert_advice) + 1}",
            adviser_role=command.adviser_role,
            summary=command.summary,
            recorded_at=ctx.now,
        )
    )
    return []


def _add_organisation(case: Case, command: AddOrganisation, ctx: _Context) -> list[CaseEvent]:
    if case.organisation_named(command.name) is not None:
        raise DomainRuleBroken(f"The case already concerns {command.name}.")
    added = Organisation(name=" ".join(command.name.split()), sector=command.sector)
    case.organisations.append(added)
    return [OrganisationAdded(**common_fields(case, ctx.now), added_organisation=added)]


def _issue_draft(case: Case, command: IssueDraft, ctx: _Context) -> list[CaseEvent]:
    """Send the draft now, or hold it for the day arranged (by staff, or by the complainant)."""
    if command.scheduled_for is not None and command.scheduled_for < ctx.today:
        raise DomainRuleBroken(
            f"A draft cannot be scheduled in the past ({command.scheduled_for})."
        )
    # A day the complainant chose that has since passed no longer holds anything back.
    content = _draft_content(case, command, ctx)
    send_on = command.scheduled_for or case.draft_send_on
    if send_on is None or send_on <= ctx.today:
        return _send_draft(case, ctx, arranged_for=send_on, content=content)
    case.held_draft = HeldDraft(prepared_at=ctx.now, send_on=send_on, content=content)
    case.deadlines.append(
        Deadline(deadline_id=DRAFT_RELEASE_ID, kind=DeadlineKind.DRAFT_RELEASE, due_by=send_on)
    )
    return []


def _draft_content(case: Case, command: IssueDraft, ctx: _Context) -> DraftContent | None:
    """What the draft proposes, checked by the final decision's rules (None: no content sent)."""
    if command.outcome is None:
        if command.summary or command.findings or command.recommendations:
            raise DomainRuleBroken("A draft with content needs its proposed outcome.")
        return None
    if command.summary is None:
        raise DomainRuleBroken("A draft with a proposed outcome needs its summary.")
    findings = _findings(case, command.outcome, command.summary, command.findings)
    targets = _recommendation_targets(
        case, command.outcome, command.recommendations, findings, ctx.today
    )
    return DraftContent(
        proposed_outcome=command.outcome,
        summary=command.summary,
        how_we_reached_it=command.how_we_reached_it
        or explaining.how_we_reached_it(case, [f.organisation for f in findings]),
        findings=findings,
        recommendations=[
            ProposedRecommendation(
                type=item.type,
                description=item.description,
                due_on=item.due_on,
                organisation=organisation,
            )
            for item, organisation in zip(command.recommendations, targets, strict=True)
        ],
    )


def _send_draft(
    case: Case, ctx: _Context, arranged_for: date | None, content: DraftContent | None
) -> list[CaseEvent]:
    """The draft goes to the complainant today: the comment window counts from today."""
    window = ctx.rules.draft_comment_window_working_days
    if case.extra_time:
        window += ctx.rules.comment_window_extension_working_days
    comments_due = add_working_days(ctx.today, window, ctx.rules.nation)
    case.draft = DraftDecision(
        issued_at=ctx.now,
        comments_due_by=comments_due,
        scheduled_for=arranged_for,
        content=content,
    )
    case.deadlines.append(
        Deadline(
            deadline_id=COMMENT_WINDOW_ID, kind=DeadlineKind.COMMENT_WINDOW, due_by=comments_due
        )
    )
    stage_changed = _move(case, Stage.DRAFT_DECISION, ctx)
    # Only the outcome and recommendation types: the public event carries no free text.
    issued = DraftDecisionIssued(
        **common_fields(case, ctx.now),
        comments_due_by=comments_due,
        proposed_outcome=content.proposed_outcome if content else None,
        recommendation_types=[r.type for r in content.recommendations] if content else [],
    )
    return [issued, stage_changed]


def release_held_draft(case: Case, today: date, rules: CaseworkRules) -> list[CaseEvent]:
    """Send a held draft once its day has come (the deadline scheduler calls this).

    Not while the case is paused: sending the draft moves the case on, so it waits for `resume`
    and goes at the next run after. The send time is the start of the arranged day, or just after
    the last thing that happened to the case if that was later, so the history stays in order.
    Mutates `case`; returns nothing when there is nothing to send.
    """
    held = case.held_draft
    if held is None or held.send_on > today or case.is_paused:
        return []
    sent_at = max(start_of_uk_day(held.send_on), case.audit[-1].at)
    ctx = _Context(actor=SYSTEM_ACTOR, now=sent_at, today=uk_date(sent_at), rules=rules)
    settle(case.deadline(DRAFT_RELEASE_ID), DeadlineStatus.MET)
    case.held_draft = None
    events = _send_draft(case, ctx, arranged_for=held.send_on, content=held.content)
    case.audit.append(
        AuditEntry(
            at=sent_at,
            actor_id=SYSTEM_ACTOR.id,
            actor_name=SYSTEM_ACTOR.name,
            action="send_draft",
            from_stage=Stage.INVESTIGATION,
            to_stage=case.stage,
            reason=f"arranged for {held.send_on.isoformat()}",
        )
    )
    return events


def latest_draft_send_date(today: date, rules: CaseworkRules) -> date:
    """The last day a complainant may ask for their draft to be sent."""
    return add_working_days(today, rules.draft_send_date_max_working_days, rules.nation)


def _arrange_draft_date(case: Case, command: ArrangeDraftDate, ctx: _Context) -> list[CaseEvent]:
    send_on = command.send_on
    if send_on < ctx.today:
        raise DomainRuleBroken(
            f"{explaining.format_day(send_on)} has already passed. Please choose today or a "
            "later date."
        )
    latest = latest_draft_send_date(ctx.today, ctx.rules)
    if send_on > latest:
        raise DomainRuleBroken(
            f"We can hold your draft decision for up to "
            f"{ctx.rules.draft_send_date_max_working_days} working days. Please choose a date "
            f"no later than {explaining.format_day(latest)}."
        )
    case.draft_send_on = send_on
    if case.held_draft is not None:
        # The draft is ready and waiting: it now waits for the new day instead.
        case.held_draft.send_on = send_on
        release = case.deadline(DRAFT_RELEASE_ID)
        assert release is not None, "a held draft always has its release deadline"
        release.due_by = send_on
    return []


def _submit_comments(case: Case, ctx: _Context) -> list[CaseEvent]:
    # Late comments are still taken (the final decision is not out yet); the deadline only
    # records whether they came in time.
    assert case.draft is not None, "a case in draft_decision always has a draft"
    if case.draft.comments_received_at is None:
        case.draft.comments_received_at = ctx.now
    settle(case.deadline(COMMENT_WINDOW_ID), DeadlineStatus.MET)
    return [CommentsReceived(**common_fields(case, ctx.now))]


# ------------------------------------------------------------------------------------------
# Final decision, recommendations and review.
# ------------------------------------------------------------------------------------------


def _organisation(case: Case, name: str | None) -> Organisation:
    found = case.organisation_named(name)
    if found is None:
        known = explaining.join_names([o.name for o in case.all_organisations])
        raise DomainRuleBroken(
            f"This case does not concern '{name}' (it concerns {known}); "
            "add it with add_organisation first."
        )
    return found


def _findings(
    case: Case, outcome: Outcome, summary: str, items: list[FindingInput]
) -> list[Finding]:
    """One finding per organisation named, the lead body's first (by default the overall one)."""
    named: dict[str, Finding] = {}
    for item in items:
        organisation = _organisation(case, item.organisation)
        if organisation.name in named:
            raise DomainRuleBroken(f"There are two findings for {organisation.name}.")
        named[organisation.name] = Finding(
            organisation=organisation, outcome=item.outcome, summary=item.summary
        )
    lead = named.pop(
        case.organisation.name,
        Finding(organisation=case.organisation, outcome=outcome, summary=summary),
    )
    findings = [lead, *named.values()]
    if outcome is Outcome.NOT_UPHELD:
        upheld = [f.organisation.name for f in findings if f.outcome is not Outcome.NOT_UPHELD]
        if upheld:
            raise DomainRuleBroken(
                f"The complaint cannot be not upheld overall when it is upheld against "
                f"{explaining.join_names(upheld)}."
            )
    return findings


def _recommendation_targets(
    case: Case,
    outcome: Outcome,
    items: list[RecommendationInput],
    findings: list[Finding],
    today: date,
) -> list[Organisation]:
    """The organisation each recommendation is for; refuses what a decision cannot carry."""
    if outcome is Outcome.NOT_UPHELD and items:
        raise DomainRuleBroken("A complaint that is not upheld carries no recommendations.")
    outcomes = {finding.organisation.name: finding.outcome for finding in findings}
    targets = []
    for item in items:
        if item.due_on is not None and item.due_on <= today:
            raise DomainRuleBroken(f"A recommendation must be due after today ({item.due_on}).")
        organisation = _organisation(case, item.organisation)
        if outcomes.get(organisation.name) is Outcome.NOT_UPHELD:
            raise DomainRuleBroken(
                f"The complaint about {organisation.name} is not upheld, so there is nothing "
                "to recommend it does."
            )
        targets.append(organisation)
    return targets


def _make_recommendation(
    case: Case, item: RecommendationInput, organisation: Organisation, ctx: _Context
) -> Recommendation:
    recommendation = Recommendation(
        recommendation_id=f"{case.reference}-R{len(case.recommendations) + 1}",
        type=item.type,
        description=item.description,
        due_on=item.due_on or add_months(ctx.today, ctx.rules.recommendation_default_due_months),
        severity=item.severity,
        organisation=organisation,
    )
    case.recommendations.append(recommendation)
    case.deadlines.append(
        Deadline(
            deadline_id=recommendation_deadline_id(recommendation.recommendation_id),
            kind=DeadlineKind.RECOMMENDATION,
            due_by=recommendation.due_on,
        )
    )
    return recommendation


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


def _issue_final(case: Case, command: IssueFinal, ctx: _Context) -> list[CaseEvent]:
    changes = _changes_since_draft(case, command)
    findings = _findings(case, command.outcome, command.summary, command.findings)
    targets = _recommendation_targets(
        case, command.outcome, command.recommendations, findings, ctx.today
    )
    review_due = _open_review_window(case, ctx)
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
        _make_recommendation(case, item, organisation, ctx)
        for item, organisation in zip(command.recommendations, targets, strict=True)
    ]
    closing = _close(case, ClosureReason(command.outcome.value), ctx)
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


def _request_review(case: Case, command: RequestReview, ctx: _Context) -> list[CaseEvent]:
    if not command.grounds:
        valid = ", ".join(ground.value for ground in ReviewGround)
        raise DomainRuleBroken(
            f"A review needs at least one ground ({valid}); a review is not a reinvestigation."
        )
    grounds = sorted(set(command.grounds))
    case.review = Review(requested_at=ctx.now, grounds=grounds, reason=command.reason)
    settle(case.review_window, DeadlineStatus.MET)
    stage_changed = _move(case, Stage.REVIEW, ctx)
    requested = ReviewRequested(
        **common_fields(case, ctx.now), grounds=[ground.value for ground in grounds]
    )
    return [requested, stage_changed]


def _complete_review(case: Case, command: CompleteReview, ctx: _Context) -> list[CaseEvent]:
    # Back to closed without a second CaseClosed: the case was closed once, and counting it
    # again would double the closure figures in reports.
    assert case.review is not None, "a case in review always has a review"
    case.review.completed_at = ctx.now
    case.review.outcome = command.outcome
    stage_changed = _move(case, Stage.CLOSED, ctx)
    completed = ReviewCompleted(**common_fields(case, ctx.now), review_outcome=command.outcome)
    return [completed, stage_changed]


def _update_recommendation(
    case: Case, command: UpdateRecommendation, ctx: _Context
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


# ------------------------------------------------------------------------------------------
# Pausing, themes, messages.
# ------------------------------------------------------------------------------------------


def _resume(case: Case, ctx: _Context) -> list[CaseEvent]:
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


def _tag_themes(case: Case, command: TagThemes, ctx: _Context) -> list[CaseEvent]:
    # Themes feed learning reports; normalised so "Communication " and "communication" match.
    normalised = {" ".join(theme.split()).lower() for theme in command.themes}
    case.themes = sorted(set(case.themes) | {theme for theme in normalised if theme})
    return [ThemesTagged(**common_fields(case, ctx.now), themes=list(case.themes))]


def _post_message(case: Case, command: PostMessage, ctx: _Context) -> list[CaseEvent]:
    if not ctx.actor.is_staff and command.direction != "to_caseworker":
        raise DomainRuleBroken("A complainant's message can only go to the caseworker.")
    case.messages_posted += 1
    message_id = f"{case.reference}-M{case.messages_posted}"
    return [
        MessagePosted(
            **common_fields(case, ctx.now), message_id=message_id, direction=command.direction
        )
    ]
