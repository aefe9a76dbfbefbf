"""Investigating a case: evidence, expert advice, organisations added, and the draft decision
(arranged, held until its day, sent, commented on)."""

from __future__ import annotations

from datetime import date

from shared.events import (
    CaseEvent,
    CommentsReceived,
    DraftDecisionIssued,
    EvidenceRequested,
    Organisation,
    OrganisationAdded,
    Stage,
)
from shared.working_days import add_working_days

from . import explaining
from .commands import (
    AddOrganisation,
    ArrangeDraftDate,
    IssueDraft,
    ReceiveEvidence,
    RecordEvidenceUnavailable,
    RecordExpertAdvice,
    RequestEvidence,
)
from .deadlines import settle
from .emit import common_fields
from .errors import DomainRuleBroken
from .findings import findings_for, recommendation_targets
from .model import (
    COMMENT_WINDOW_ID,
    DRAFT_RELEASE_ID,
    Case,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DraftContent,
    DraftDecision,
    EvidenceRequest,
    EvidenceUnavailable,
    ExpertAdvice,
    HeldDraft,
    ProposedRecommendation,
    evidence_deadline_id,
)
from .rules import CaseworkRules
from .timekeeping import start_of_uk_day, uk_date
from .transitions import SYSTEM_ACTOR, Context, move_to_stage, record_audit


def request_evidence(case: Case, command: RequestEvidence, ctx: Context) -> list[CaseEvent]:
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


def receive_evidence(case: Case, command: ReceiveEvidence, ctx: Context) -> list[CaseEvent]:
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


def record_evidence_unavailable(
    case: Case, command: RecordEvidenceUnavailable, ctx: Context
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


def record_expert_advice(case: Case, command: RecordExpertAdvice, ctx: Context) -> list[CaseEvent]:
    case.expert_advice.append(
        ExpertAdvice(
            advice_id=f"{case.reference}-X{len(case.expert_advice) + 1}",
            adviser_role=command.adviser_role,
            summary=command.summary,
            recorded_at=ctx.now,
        )
    )
    return []


def add_organisation(case: Case, command: AddOrganisation, ctx: Context) -> list[CaseEvent]:
    if case.organisation_named(command.name) is not None:
        raise DomainRuleBroken(f"The case already concerns {command.name}.")
    added = Organisation(name=" ".join(command.name.split()), sector=command.sector)
    case.organisations.append(added)
    return [OrganisationAdded(**common_fields(case, ctx.now), added_organisation=added)]


def issue_draft(case: Case, command: IssueDraft, ctx: Context) -> list[CaseEvent]:
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


def _draft_content(case: Case, command: IssueDraft, ctx: Context) -> DraftContent | None:
    """What the draft proposes, checked by the final decision's rules (None: no content sent)."""
    if command.outcome is None:
        if command.summary or command.findings or command.recommendations:
            raise DomainRuleBroken("A draft with content needs its proposed outcome.")
        return None
    if command.summary is None:
        raise DomainRuleBroken("A draft with a proposed outcome needs its summary.")
    findings = findings_for(case, command.outcome, command.summary, command.findings)
    targets = recommendation_targets(
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
    case: Case, ctx: Context, arranged_for: date | None, content: DraftContent | None
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
    stage_changed = move_to_stage(case, Stage.DRAFT_DECISION, ctx)
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
    ctx = Context(actor=SYSTEM_ACTOR, now=sent_at, today=uk_date(sent_at), rules=rules)
    settle(case.deadline(DRAFT_RELEASE_ID), DeadlineStatus.MET)
    case.held_draft = None
    events = _send_draft(case, ctx, arranged_for=held.send_on, content=held.content)
    record_audit(
        case,
        SYSTEM_ACTOR,
        sent_at,
        "send_draft",
        from_stage=Stage.INVESTIGATION,
        reason=f"arranged for {held.send_on.isoformat()}",
    )
    return events


def latest_draft_send_date(today: date, rules: CaseworkRules) -> date:
    """The last day a complainant may ask for their draft to be sent."""
    return add_working_days(today, rules.draft_send_date_max_working_days, rules.nation)


def arrange_draft_date(case: Case, command: ArrangeDraftDate, ctx: Context) -> list[CaseEvent]:
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


def submit_comments(case: Case, ctx: Context) -> list[CaseEvent]:
    # Late comments are still taken (the final decision is not out yet); the deadline only
    # records whether they came in time.
    assert case.draft is not None, "a case in draft_decision always has a draft"
    if case.draft.comments_received_at is None:
        case.draft.comments_received_at = ctx.now
    settle(case.deadline(COMMENT_WINDOW_ID), DeadlineStatus.MET)
    return [CommentsReceived(**common_fields(case, ctx.now))]
