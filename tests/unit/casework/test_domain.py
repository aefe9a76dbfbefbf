"""The case state machine, path by path (England calendar; dates checked by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.casework.domain import (
    Accept,
    ActionNotAllowed,
    Actor,
    Assign,
    Case,
    CaseworkRules,
    CompleteReview,
    DeadlineStatus,
    Decline,
    DomainRuleBroken,
    IssueDraft,
    IssueFinal,
    Pause,
    PostMessage,
    ReceiveEvidence,
    RecommendationInput,
    RequestEvidence,
    RequestReview,
    ResolveEarly,
    Resume,
    ReviewGround,
    SubmitComments,
    TagThemes,
    UpdateRecommendation,
    Withdraw,
    allowed_actions,
    handle,
    missed_deadlines,
    open_case,
    parse_command,
    release_held_draft,
    tracking_view,
)
from services.casework.domain.commands import Command
from shared.events import (
    CaseAssigned,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    Channel,
    ClosureReason,
    CommentsReceived,
    DeadlineMissed,
    DeclineReason,
    DraftDecisionIssued,
    EligibilityFlags,
    EvidenceRequested,
    FinalDecisionIssued,
    MessagePosted,
    Organisation,
    Outcome,
    RecommendationMade,
    RecommendationStatus,
    RecommendationType,
    RecommendationUpdated,
    ReviewCompleted,
    ReviewRequested,
    Sector,
    Stage,
    StageChanged,
)

RULES = CaseworkRules()
REFERENCE = "RED-2026-000123"
ORGANISATION = Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH)
CASEWORKER = Actor(id="cw-7", name="Sam Patel", role="caseworker")
COMPLAINANT = Actor(id="complainant", name="Alex Jones", role="complainant")
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def new_case(*, extra_time: bool = False, received: datetime = RECEIVED) -> Case:
    case, _ = open_case(
        REFERENCE,
        ORGANISATION,
        Channel.WEB,
        received,
        EligibilityFlags(eligible=True),
        extra_time,
        RULES,
    )
    return case


def act(case: Case, command: Command, when: date, actor: Actor = CASEWORKER) -> list[CaseEvent]:
    return handle(case, command, actor, at(when), RULES)


def kinds(events: list[CaseEvent]) -> list[type[CaseEvent]]:
    return [type(event) for event in events]


def investigated_to_draft(*, extra_time: bool = False) -> Case:
    case = new_case(extra_time=extra_time)
    act(case, Accept(), date(2026, 1, 12))
    act(case, IssueDraft(), date(2026, 2, 10))
    return case


def closed_with_decision(
    outcome: Outcome = Outcome.UPHELD, recommendations: list[RecommendationInput] | None = None
) -> Case:
    case = investigated_to_draft()
    act(case, SubmitComments(), date(2026, 2, 12), COMPLAINANT)
    act(
        case,
        IssueFinal(
            outcome=outcome, summary="The trust failed", recommendations=recommendations or []
        ),
        date(2026, 2, 25),
    )
    return case


APOLOGY = RecommendationInput(type=RecommendationType.APOLOGY, description="Apologise in writing")


# --------------------------------------------------------------------------------------------
# Opening and assessment.
# --------------------------------------------------------------------------------------------


def test_open_case_starts_assessment_with_a_20_working_day_decision_deadline() -> None:
    case, events = open_case(
        REFERENCE,
        ORGANISATION,
        Channel.EMAIL,
        RECEIVED,
        EligibilityFlags(eligible=True),
        False,
        RULES,
    )
    assert case.stage is Stage.ASSESSMENT
    assert [(d.deadline_id, d.due_by) for d in case.deadlines] == [
        ("assessment_decision", date(2026, 2, 2))
    ]
    [opened] = events
    assert isinstance(opened, CaseOpened)
    assert opened.channel is Channel.EMAIL
    assert opened.next_milestone is not None
    assert opened.next_milestone.due_by == date(2026, 2, 2)
    assert [entry.stage for entry in case.history] == [Stage.ASSESSMENT]
    assert case.audit[0].action == "open"


def test_receipt_counts_from_the_uk_calendar_day() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
    case = new_case(received=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    from_first_of_july = new_case(received=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    assert case.deadlines[0].due_by == from_first_of_july.deadlines[0].due_by == date(2026, 7, 29)


def test_naive_datetimes_are_refused() -> None:
    case = new_case()
    with pytest.raises(ValueError, match="timezone-aware"):
        handle(case, Accept(), CASEWORKER, datetime(2026, 1, 6, 10), RULES)


def test_declined_case_closes_with_reason_and_a_review_window() -> None:
    case = new_case()
    events = act(case, Decline(reason=DeclineReason.PREMATURE), date(2026, 1, 12))
    assert kinds(events) == [StageChanged, CaseClosed]
    changed, closed = events
    assert isinstance(changed, StageChanged)
    assert (changed.from_stage, changed.to_stage) == (Stage.ASSESSMENT, Stage.CLOSED)
    assert isinstance(closed, CaseClosed)
    assert closed.closure_reason is ClosureReason.DECLINED
    assert closed.decline_reason is DeclineReason.PREMATURE
    assert closed.working_days_open == 5
    assert case.closure_reason is ClosureReason.DECLINED
    assert case.deadline("assessment_decision").status is DeadlineStatus.MET  # type: ignore[union-attr]
    assert case.review_window is not None
    assert case.review_window.due_by == date(2026, 2, 12)
    assert case.decision is None
    assert "request_review" in allowed_actions(case, at(date(2026, 1, 13)))


def test_resolved_early_closes_without_a_review_window() -> None:
    case = new_case()
    events = act(case, ResolveEarly(), date(2026, 1, 8))
    assert kinds(events) == [StageChanged, CaseClosed]
    assert case.closure_reason is ClosureReason.RESOLVED_EARLY
    assert case.review_window is None
    assert allowed_actions(case, at(date(2026, 1, 9))) == [
        "tag_themes",
        "post_message",
        "confirm_organisation",
    ]


@pytest.mark.parametrize("accepted_first", [False, True])
def test_withdrawn_in_assessment_or_investigation(accepted_first: bool) -> None:
    case = new_case()
    if accepted_first:
        act(case, Accept(), date(2026, 1, 6))
        act(case, RequestEvidence(description="Medical records"), date(2026, 1, 6))
    events = act(case, Withdraw(), date(2026, 1, 9), COMPLAINANT)
    assert isinstance(events[-1], CaseClosed)
    assert events[-1].closure_reason is ClosureReason.WITHDRAWN
    assert case.stage is Stage.CLOSED
    assert all(d.status is not DeadlineStatus.OPEN for d in case.deadlines)
    assert missed_deadlines(case, date(2026, 6, 1)) == []


def test_withdraw_is_not_offered_once_the_draft_is_out() -> None:
    case = investigated_to_draft()
    with pytest.raises(ActionNotAllowed) as refused:
        act(case, Withdraw(), date(2026, 2, 11))
    assert refused.value.stage is Stage.DRAFT_DECISION
    assert "withdraw" not in refused.value.allowed
    assert "submit_comments" in refused.value.allowed


def test_assign_emits_caseworker_and_refuses_the_same_caseworker_twice() -> None:
    case = new_case()
    [event] = act(case, Assign(caseworker_id="cw-9", caseworker_name="Jo Bloggs"), date(2026, 1, 6))
    assert isinstance(event, CaseAssigned)
    assert case.caseworker is not None
    assert case.caseworker.name == "Jo Bloggs"
    with pytest.raises(DomainRuleBroken, match="already assigned"):
        act(case, Assign(caseworker_id="cw-9", caseworker_name="Jo Bloggs"), date(2026, 1, 7))


# --------------------------------------------------------------------------------------------
# Investigation, draft and final decision.
# --------------------------------------------------------------------------------------------


def test_evidence_request_gets_a_default_due_date_and_can_be_received() -> None:
    case = new_case()
    act(case, Accept(), date(2026, 1, 12))
    [requested] = act(case, RequestEvidence(description="GP notes"), date(2026, 1, 12))
    assert isinstance(requested, EvidenceRequested)
    assert requested.request_id == f"{REFERENCE}-E1"
    assert requested.due_by == date(2026, 2, 2)
    assert act(case, ReceiveEvidence(request_id=requested.request_id), date(2026, 1, 20)) == []
    assert case.deadline(f"evidence_{REFERENCE}-E1").status is DeadlineStatus.MET  # type: ignore[union-attr]
    assert "receive_evidence" not in allowed_actions(case, at(date(2026, 1, 21)))


def test_evidence_cannot_be_due_in_the_past() -> None:
    case = new_case()
    act(case, Accept(), date(2026, 1, 12))
    with pytest.raises(DomainRuleBroken, match="past"):
        act(case, RequestEvidence(description="x", due_on=date(2026, 1, 9)), date(2026, 1, 12))


def test_draft_opens_a_10_working_day_comment_window() -> None:
    case = new_case()
    act(case, Accept(), date(2026, 1, 12))
    events = act(case, IssueDraft(), date(2026, 2, 10))
    assert kinds(events) == [DraftDecisionIssued, StageChanged]
    issued = events[0]
    assert isinstance(issued, DraftDecisionIssued)
    assert issued.comments_due_by == date(2026, 2, 24)
    assert case.draft is not None
    assert case.draft.comments_due_by == date(2026, 2, 24)


def test_extra_time_lengthens_comment_and_review_windows() -> None:
    case = investigated_to_draft(extra_time=True)
    assert case.draft is not None
    assert case.draft.comments_due_by == date(2026, 3, 3)
    events = act(case, IssueFinal(outcome=Outcome.NOT_UPHELD, summary="s"), date(2026, 3, 4))
    final = events[0]
    assert isinstance(final, FinalDecisionIssued)
    # One month is Sat 4 April; Easter Monday 6 April is skipped, then 5 working days more.
    assert final.review_request_due_by == date(2026, 4, 14)


def test_scheduled_draft_is_held_and_counts_the_window_from_the_arranged_day() -> None:
    case = new_case()
    act(case, Accept(), date(2026, 1, 12))
    assert act(case, IssueDraft(scheduled_for=date(2026, 2, 16)), date(2026, 2, 10)) == []
    assert case.draft is None
    assert case.stage is Stage.INVESTIGATION
    assert release_held_draft(case, date(2026, 2, 15), RULES) == []
    events = release_held_draft(case, date(2026, 2, 16), RULES)
    assert kinds(events) == [DraftDecisionIssued, StageChanged]
    assert case.draft is not None
    assert case.draft.scheduled_for == date(2026, 2, 16)
    assert case.draft.comments_due_by == date(2026, 3, 2)


def test_final_refused_while_comment_window_open_and_case_unchanged() -> None:
    case = investigated_to_draft()
    before = case.model_dump(mode="json")
    assert "issue_final" not in allowed_actions(case, at(date(2026, 2, 24)))
    with pytest.raises(DomainRuleBroken, match="until 2026-02-24") as refused:
        act(case, IssueFinal(outcome=Outcome.UPHELD, summary="s"), date(2026, 2, 24))
    assert "from 2026-02-25" in refused.value.message
    assert case.model_dump(mode="json") == before


def test_final_allowed_once_the_window_has_passed_without_comments() -> None:
    case = investigated_to_draft()
    events = act(case, IssueFinal(outcome=Outcome.NOT_UPHELD, summary="s"), date(2026, 2, 25))
    assert kinds(events) == [FinalDecisionIssued, StageChanged, CaseClosed]
    assert case.deadline("comment_window").status is DeadlineStatus.CANCELLED  # type: ignore[union-attr]


def test_final_allowed_early_once_the_complainant_has_commented() -> None:
    case = investigated_to_draft()
    [received] = act(case, SubmitComments(comments="My view"), date(2026, 2, 12), COMPLAINANT)
    assert isinstance(received, CommentsReceived)
    assert case.deadline("comment_window").status is DeadlineStatus.MET  # type: ignore[union-attr]
    assert "issue_final" in allowed_actions(case, at(date(2026, 2, 13)))
    act(case, IssueFinal(outcome=Outcome.PARTLY_UPHELD, summary="s"), date(2026, 2, 13))
    assert case.stage is Stage.CLOSED


@pytest.mark.parametrize("outcome", list(Outcome))
def test_investigated_to_each_outcome(outcome: Outcome) -> None:
    recommendations = [] if outcome is Outcome.NOT_UPHELD else [APOLOGY, APOLOGY]
    case = investigated_to_draft()
    act(case, SubmitComments(), date(2026, 2, 12), COMPLAINANT)
    events = act(
        case,
        IssueFinal(outcome=outcome, summary="Reasons", recommendations=recommendations),
        date(2026, 2, 25),
    )
    final, *rest = events
    assert isinstance(final, FinalDecisionIssued)
    assert final.outcome is outcome
    assert final.review_request_due_by == date(2026, 3, 25)
    made = [e for e in rest if isinstance(e, RecommendationMade)]
    assert len(made) == len(recommendations)
    assert [m.recommendation.recommendation_id for m in made] == [
        f"{REFERENCE}-R{n}" for n in range(1, len(recommendations) + 1)
    ]
    assert all(m.recommendation.due_on == date(2026, 5, 25) for m in made)
    closed = events[-1]
    assert isinstance(closed, CaseClosed)
    assert closed.closure_reason.value == outcome.value
    assert case.decision is not None
    assert case.decision.outcome is outcome
    assert [h.stage for h in case.history] == [
        Stage.ASSESSMENT,
        Stage.INVESTIGATION,
        Stage.DRAFT_DECISION,
        Stage.CLOSED,
    ]


def test_not_upheld_decision_cannot_carry_recommendations() -> None:
    case = investigated_to_draft()
    with pytest.raises(DomainRuleBroken, match="not upheld"):
        act(
            case,
            IssueFinal(outcome=Outcome.NOT_UPHELD, summary="s", recommendations=[APOLOGY]),
            date(2026, 2, 25),
        )
    assert case.stage is Stage.DRAFT_DECISION
    assert case.review_window is None


# --------------------------------------------------------------------------------------------
# Review.
# --------------------------------------------------------------------------------------------


def test_review_within_window_and_completed_returns_to_closed() -> None:
    case = closed_with_decision()
    events = act(
        case,
        RequestReview(grounds=[ReviewGround.NEW_INFORMATION], reason="A letter I found"),
        date(2026, 3, 25),
        COMPLAINANT,
    )
    assert kinds(events) == [ReviewRequested, StageChanged]
    requested = events[0]
    assert isinstance(requested, ReviewRequested)
    assert requested.grounds == ["new_information"]
    assert [h.stage for h in case.history][-2:] == [Stage.CLOSED, Stage.REVIEW]
    assert case.closure_reason is ClosureReason.UPHELD

    events = act(case, CompleteReview(outcome="decision_upheld"), date(2026, 4, 20))
    assert kinds(events) == [ReviewCompleted, StageChanged]
    assert [h.stage for h in case.history][-3:] == [Stage.CLOSED, Stage.REVIEW, Stage.CLOSED]
    assert case.review is not None
    assert case.review.outcome == "decision_upheld"
    with pytest.raises(ActionNotAllowed):
        act(case, RequestReview(grounds=[ReviewGround.INACCURATE_FACTS]), date(2026, 4, 21))


def test_review_refused_after_the_window_says_when_it_closed() -> None:
    case = closed_with_decision()
    with pytest.raises(DomainRuleBroken) as refused:
        act(
            case,
            RequestReview(grounds=[ReviewGround.INACCURATE_FACTS]),
            date(2026, 3, 26),
            COMPLAINANT,
        )
    assert "closed on 2026-03-25" in refused.value.message
    assert "1 month" in refused.value.message
    assert case.stage is Stage.CLOSED
    assert "request_review" not in allowed_actions(case, at(date(2026, 3, 26)))


def test_review_refused_without_grounds() -> None:
    case = closed_with_decision()
    with pytest.raises(DomainRuleBroken, match="at least one ground"):
        act(case, RequestReview(grounds=[], reason="I disagree"), date(2026, 3, 1), COMPLAINANT)
    with pytest.raises(ValidationError):
        RequestReview.model_validate({"grounds": ["i_just_disagree"]})


def test_decline_can_be_reviewed() -> None:
    case = new_case()
    act(case, Decline(reason=DeclineReason.OUT_OF_REMIT), date(2026, 1, 12))
    act(case, RequestReview(grounds=[ReviewGround.OVERLOOKED_OR_MISUNDERSTOOD]), date(2026, 2, 1))
    assert case.stage is Stage.REVIEW
    assert case.decision is None


# --------------------------------------------------------------------------------------------
# Recommendations and missed deadlines.
# --------------------------------------------------------------------------------------------


def test_recommendation_complied_with() -> None:
    case = closed_with_decision(recommendations=[APOLOGY])
    rec_id = f"{REFERENCE}-R1"
    [accepted] = act(
        case,
        UpdateRecommendation(recommendation_id=rec_id, status=RecommendationStatus.ACCEPTED),
        date(2026, 3, 2),
    )
    assert isinstance(accepted, RecommendationUpdated)
    assert accepted.previous_status is RecommendationStatus.MADE
    act(
        case,
        UpdateRecommendation(recommendation_id=rec_id, status=RecommendationStatus.IMPLEMENTED),
        date(2026, 4, 1),
    )
    assert case.deadline(f"recommendation_{rec_id}").status is DeadlineStatus.MET  # type: ignore[union-attr]
    assert missed_deadlines(case, date(2026, 9, 1)) == []
    with pytest.raises(DomainRuleBroken, match="implemented cannot become"):
        act(
            case,
            UpdateRecommendation(recommendation_id=rec_id, status=RecommendationStatus.ACCEPTED),
            date(2026, 4, 2),
        )


def test_recommendation_overdue_is_reported_once() -> None:
    case = closed_with_decision(recommendations=[APOLOGY])
    rec_id = f"{REFERENCE}-R1"
    assert missed_deadlines(case, date(2026, 5, 25)) == []
    events = missed_deadlines(case, date(2026, 5, 26))
    assert kinds(events) == [DeadlineMissed, RecommendationUpdated]
    missed, updated = events
    assert isinstance(missed, DeadlineMissed)
    assert (missed.deadline_id, missed.deadline) == (f"recommendation_{rec_id}", "recommendation")
    assert missed.occurred_at == datetime(2026, 5, 25, 23, 0, tzinfo=UTC)  # midnight BST
    assert isinstance(updated, RecommendationUpdated)
    assert updated.recommendation.status is RecommendationStatus.OVERDUE
    assert updated.previous_status is RecommendationStatus.MADE
    assert missed_deadlines(case, date(2026, 5, 27)) == []
    act(
        case,
        UpdateRecommendation(recommendation_id=rec_id, status=RecommendationStatus.IMPLEMENTED),
        date(2026, 6, 1),
    )
    assert case.recommendations[0].status is RecommendationStatus.IMPLEMENTED


def test_overdue_cannot_be_set_by_hand_and_unknown_ids_are_refused() -> None:
    case = closed_with_decision(recommendations=[APOLOGY])
    with pytest.raises(DomainRuleBroken, match="cannot become overdue"):
        act(
            case,
            UpdateRecommendation(
                recommendation_id=f"{REFERENCE}-R1", status=RecommendationStatus.OVERDUE
            ),
            date(2026, 3, 2),
        )
    with pytest.raises(DomainRuleBroken, match="no recommendation"):
        act(
            case,
            UpdateRecommendation(recommendation_id="nope", status=RecommendationStatus.ACCEPTED),
            date(2026, 3, 2),
        )


def test_missed_assessment_deadline_is_reported_once_and_review_window_never() -> None:
    case = new_case()
    assert missed_deadlines(case, date(2026, 2, 2)) == []
    [missed] = missed_deadlines(case, date(2026, 2, 3))
    assert isinstance(missed, DeadlineMissed)
    assert missed.deadline_id == "assessment_decision"
    assert missed.due_by == date(2026, 2, 2)
    assert missed_deadlines(case, date(2026, 2, 4)) == []
    act(case, Decline(reason=DeclineReason.PREMATURE), date(2026, 2, 5))
    assert case.deadline("assessment_decision").status is DeadlineStatus.MISSED  # type: ignore[union-attr]
    assert missed_deadlines(case, date(2026, 12, 31)) == []


# --------------------------------------------------------------------------------------------
# Pause and resume.
# --------------------------------------------------------------------------------------------


def test_pause_and_resume_shift_deadlines_by_working_days_paused() -> None:
    case = new_case()
    act(case, Pause(reason="Complainant in hospital"), date(2026, 1, 7))
    assert case.paused_since is not None
    with pytest.raises(ActionNotAllowed) as refused:
        act(case, Accept(), date(2026, 1, 8))
    assert "resume" in refused.value.allowed
    assert "accept" not in refused.value.allowed
    assert tracking_view(case, date(2026, 1, 8))["paused"] is True
    act(case, Resume(), date(2026, 1, 14))
    assert case.paused_since is None
    assert case.deadlines[0].due_by == date(2026, 2, 9)


def test_paused_case_does_not_report_its_own_deadlines_missed() -> None:
    case = new_case()
    act(case, Pause(), date(2026, 1, 30))
    assert missed_deadlines(case, date(2026, 2, 10)) == []
    act(case, Resume(), date(2026, 2, 10))
    # Paused 30 Jan to 10 Feb: 7 working days, so the 2 Feb deadline moves to 11 Feb.
    assert case.deadlines[0].due_by == date(2026, 2, 11)
    assert missed_deadlines(case, date(2026, 2, 11)) == []
    assert len(missed_deadlines(case, date(2026, 2, 12))) == 1


def test_resume_moves_the_comment_window_shown_on_the_draft() -> None:
    case = investigated_to_draft()
    act(case, Pause(), date(2026, 2, 11))
    act(case, Resume(), date(2026, 2, 13))
    assert case.draft is not None
    assert case.draft.comments_due_by == date(2026, 2, 26)


def test_same_day_pause_and_resume_moves_nothing() -> None:
    case = new_case()
    handle(case, Pause(), CASEWORKER, at(date(2026, 1, 7), 9), RULES)
    handle(case, Resume(), CASEWORKER, at(date(2026, 1, 7), 16), RULES)
    assert case.deadlines[0].due_by == date(2026, 2, 2)


# --------------------------------------------------------------------------------------------
# Roles, messages, themes, audit, parsing, persistence and tracking.
# --------------------------------------------------------------------------------------------


def test_complainant_cannot_take_staff_actions() -> None:
    case = new_case()
    with pytest.raises(ActionNotAllowed) as refused:
        act(case, Accept(), date(2026, 1, 6), COMPLAINANT)
    assert refused.value.allowed == ["withdraw", "post_message"]


def test_messages_get_ids_and_a_complainant_writes_only_to_the_caseworker() -> None:
    case = new_case()
    [posted] = act(
        case, PostMessage(direction="to_caseworker", body="Hi"), date(2026, 1, 6), COMPLAINANT
    )
    assert isinstance(posted, MessagePosted)
    assert posted.message_id == f"{REFERENCE}-M1"
    with pytest.raises(DomainRuleBroken):
        act(case, PostMessage(direction="to_complainant"), date(2026, 1, 6), COMPLAINANT)
    [reply] = act(case, PostMessage(direction="to_complainant"), date(2026, 1, 7))
    assert isinstance(reply, MessagePosted)
    assert reply.message_id == f"{REFERENCE}-M2"


def test_themes_are_normalised_and_merged() -> None:
    case = new_case()
    act(case, TagThemes(themes=["Communication ", "discharge  planning"]), date(2026, 1, 6))
    act(case, TagThemes(themes=["communication", "Record keeping"]), date(2026, 1, 7))
    assert case.themes == ["communication", "discharge planning", "record keeping"]


def test_audit_records_who_did_what_and_the_stage_move() -> None:
    case = new_case()
    act(case, Decline(reason=DeclineReason.DISCRETION_DECLINED), date(2026, 1, 12))
    entry = case.audit[-1]
    assert (entry.actor_id, entry.actor_name, entry.action) == ("cw-7", "Sam Patel", "decline")
    assert (entry.from_stage, entry.to_stage) == (Stage.ASSESSMENT, Stage.CLOSED)
    assert entry.reason == "discretion_declined"


def test_parse_command_uses_the_action_discriminator() -> None:
    command = parse_command({"action": "decline", "reason": "premature"})
    assert command == Decline(reason=DeclineReason.PREMATURE)
    final = parse_command(
        {
            "action": "issue_final",
            "outcome": "upheld",
            "summary": "s",
            "recommendations": [{"type": "apology", "description": "d", "due_on": "2026-06-01"}],
        }
    )
    assert isinstance(final, IssueFinal)
    assert final.recommendations[0].due_on == date(2026, 6, 1)
    with pytest.raises(ValidationError):
        parse_command({"action": "reopen"})
    with pytest.raises(ValidationError):
        parse_command({"action": "accept", "unexpected": True})
    with pytest.raises(ValidationError):
        parse_command({"action": "decline", "reason": "bored"})


def test_case_round_trips_through_json_after_a_full_life() -> None:
    case = closed_with_decision(recommendations=[APOLOGY])
    act(case, TagThemes(themes=["communication"]), date(2026, 3, 1))
    act(case, RequestReview(grounds=[ReviewGround.INACCURATE_FACTS]), date(2026, 3, 2))
    missed_deadlines(case, date(2026, 6, 1))
    restored = Case.model_validate(case.model_dump(mode="json"))
    assert restored == case
    assert Case.model_validate_json(case.model_dump_json()) == case


@pytest.mark.parametrize(
    ("steps", "today", "description_has", "milestone"),
    [
        ([], date(2026, 1, 6), "decide whether", ("Our decision", date(2026, 2, 2))),
        ([Accept()], date(2026, 1, 13), "investigating", None),
        ([Accept(), IssueDraft()], date(2026, 1, 13), "draft", ("Last day to comment", None)),
        (
            [Decline(reason=DeclineReason.PREMATURE)],
            date(2026, 1, 13),
            "not to investigate",
            ("Last day to ask for a review", date(2026, 2, 12)),
        ),
    ],
)
def test_tracking_view_describes_stage_and_next_milestone(
    steps: list[Command],
    today: date,
    description_has: str,
    milestone: tuple[str, date | None] | None,
) -> None:
    case = new_case()
    for step in steps:
        act(case, step, date(2026, 1, 12))
    view = tracking_view(case, today)
    assert description_has in view["stage_description"]
    if milestone is None:
        assert view["next_milestone"] is None
        return
    name, due = milestone
    assert view["next_milestone"] is not None
    assert view["next_milestone"]["name"].startswith(name)
    if due is not None:
        assert view["next_milestone"]["due_by"] == due


def test_stage_changed_carries_the_next_milestone() -> None:
    case = new_case()
    act(case, Accept(), date(2026, 1, 12))
    events = act(case, IssueDraft(), date(2026, 2, 10))
    changed = events[1]
    assert isinstance(changed, StageChanged)
    assert changed.next_milestone is not None
    assert changed.next_milestone.due_by == date(2026, 2, 24)


def test_ten_day_comment_window_is_configurable() -> None:
    rules = CaseworkRules(draft_comment_window_working_days=15, nation="scotland")
    case, _ = open_case(
        REFERENCE,
        ORGANISATION,
        Channel.WEB,
        RECEIVED,
        EligibilityFlags(eligible=True),
        False,
        rules,
    )
    handle(case, Accept(), CASEWORKER, at(date(2026, 1, 12)), rules)
    handle(case, IssueDraft(), CASEWORKER, at(date(2026, 2, 10)), rules)
    assert case.draft is not None
    assert case.draft.comments_due_by == date(2026, 3, 3)
    with pytest.raises(ValidationError):
        CaseworkRules(draft_comment_window_working_days=-1)


def test_events_time_is_the_command_time() -> None:
    case = new_case()
    now = at(date(2026, 1, 12)) + timedelta(minutes=7)
    [event] = handle(case, Accept(), CASEWORKER, now, RULES)
    assert event.occurred_at == now
