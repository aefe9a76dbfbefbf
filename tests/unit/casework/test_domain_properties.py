"""Property: no sequence of commands, clock moves and deadline sweeps reaches an invalid case,
and no event carries anything outside its public model (so no personal data)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.casework.domain import (
    ACTIONS,
    CONTACT_PROBLEM_STATUSES,
    Accept,
    ActionNotAllowed,
    Actor,
    AddOrganisation,
    ArrangeDraftDate,
    Assign,
    Case,
    CaseworkRules,
    CompleteReview,
    ConfirmOrganisation,
    ContactProblem,
    DeadlineStatus,
    Decline,
    DomainRuleBroken,
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
    ReviewGround,
    SubmitComments,
    TagThemes,
    UpdateRecommendation,
    Withdraw,
    allowed_actions,
    handle,
    missed_deadlines,
    note_contact_problem,
    open_case,
    release_held_draft,
)
from services.casework.domain.commands import Command
from shared.events import (
    CASE_EVENT_TYPES,
    CaseClosed,
    CaseEvent,
    Channel,
    DeadlineMissed,
    DeclineReason,
    EligibilityFlags,
    Organisation,
    Outcome,
    RecommendationStatus,
    RecommendationType,
    Sector,
    Stage,
)

REFERENCE = "RED-2026-000777"
# Free text a complainant or caseworker might type: it must never reach a public event.
CANARY = "CANARY-PERSONAL-DATA"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Every stage move the state machine may make (docs/design.md §5).
TRANSITIONS = {
    (Stage.ASSESSMENT, Stage.INVESTIGATION),
    (Stage.ASSESSMENT, Stage.CLOSED),
    (Stage.INVESTIGATION, Stage.DRAFT_DECISION),
    (Stage.INVESTIGATION, Stage.CLOSED),
    (Stage.DRAFT_DECISION, Stage.CLOSED),
    (Stage.CLOSED, Stage.REVIEW),
    (Stage.REVIEW, Stage.CLOSED),
}

actors = st.sampled_from(
    [
        Actor(id="cw-1", name="Case Worker", role="caseworker"),
        Actor(id="mgr-1", name="Manager", role="manager"),
        Actor(id="c-1", name=CANARY, role="complainant"),
    ]
)
text = st.just(f"{CANARY} free text")
future_dates = st.none() | st.dates(min_value=date(2026, 2, 1), max_value=date(2027, 12, 31))
# The lead body, one that may be added, and one the case never concerns.
organisation_names = st.sampled_from(["Some Trust", "Other Council", "Unrelated Agency"])
recommendation_inputs = st.builds(
    RecommendationInput,
    type=st.sampled_from(RecommendationType),
    description=text,
    due_on=future_dates,
    severity=st.none() | st.integers(min_value=1, max_value=6),
    organisation=st.none() | organisation_names,
)
finding_inputs = st.builds(
    FindingInput,
    organisation=st.none() | organisation_names,
    outcome=st.sampled_from(Outcome),
    summary=text,
)
COMMAND_STRATEGIES: dict[str, st.SearchStrategy[Command]] = {
    # A caseworker's name is staff data the contract publishes (CaseAssigned), so not the canary.
    "assign": st.builds(
        Assign,
        caseworker_id=st.sampled_from(["cw-1", "cw-2"]),
        caseworker_name=st.just("Case Worker"),
    ),
    "accept": st.just(Accept()),
    "decline": st.builds(Decline, reason=st.sampled_from(DeclineReason)),
    "resolve_early": st.just(ResolveEarly()),
    "withdraw": st.just(Withdraw()),
    "request_evidence": st.builds(RequestEvidence, description=text, due_on=future_dates),
    "receive_evidence": st.builds(
        ReceiveEvidence, request_id=st.sampled_from([f"{REFERENCE}-E{n}" for n in (1, 2)])
    ),
    "record_evidence_unavailable": st.builds(
        RecordEvidenceUnavailable,
        request_id=st.sampled_from([f"{REFERENCE}-E{n}" for n in (1, 2)]),
        how_decision_deals_with_it=text,
    ),
    "record_expert_advice": st.builds(RecordExpertAdvice, adviser_role=text, summary=text),
    "arrange_draft_date": st.builds(
        ArrangeDraftDate,
        send_on=st.dates(min_value=date(2026, 2, 20), max_value=date(2026, 9, 30)),
    ),
    "add_organisation": st.builds(
        AddOrganisation, name=organisation_names, sector=st.sampled_from(Sector)
    ),
    "confirm_organisation": st.builds(
        ConfirmOrganisation,
        organisation_id=st.sampled_from(["RNS01", "org-dwp"]),
        organisation=st.none() | organisation_names,
        entry=st.none()
        | st.sampled_from(
            [
                Organisation(id="RNS01", name="Northshire NHS Trust", sector=Sector.HEALTH),
                Organisation(
                    id="org-dwp",
                    name="Department for Work and Pensions",
                    sector=Sector.PARLIAMENTARY,
                ),
            ]
        ),
    ),
    "issue_draft": st.builds(IssueDraft, scheduled_for=future_dates),
    "submit_comments": st.builds(SubmitComments, comments=text),
    "issue_final": st.builds(
        IssueFinal,
        outcome=st.sampled_from(Outcome),
        summary=text,
        recommendations=st.lists(recommendation_inputs, max_size=2),
        findings=st.lists(finding_inputs, max_size=2),
        how_we_reached_it=st.none() | text,
        next_steps=st.lists(text, max_size=1),
    ),
    "request_review": st.builds(
        RequestReview, grounds=st.lists(st.sampled_from(ReviewGround), max_size=2), reason=text
    ),
    "complete_review": st.builds(
        CompleteReview, outcome=st.sampled_from(["decision_upheld", "decision_changed"])
    ),
    "update_recommendation": st.builds(
        UpdateRecommendation,
        recommendation_id=st.sampled_from([f"{REFERENCE}-R{n}" for n in (1, 2)]),
        status=st.sampled_from(RecommendationStatus),
    ),
    "pause": st.builds(Pause, reason=st.none() | text),
    "resume": st.just(Resume()),
    "tag_themes": st.builds(
        TagThemes, themes=st.lists(st.sampled_from(["a", "B ", "c"]), min_size=1)
    ),
    "post_message": st.builds(
        PostMessage, direction=st.sampled_from(["to_complainant", "to_caseworker"]), body=text
    ),
}
assert set(COMMAND_STRATEGIES) == set(ACTIONS)
any_command = st.one_of(*COMMAND_STRATEGIES.values())
ALWAYS_OFFERED = frozenset({"tag_themes", "post_message", "assign"})
LONG_ROAD = frozenset(
    {
        "accept",
        "request_evidence",
        "receive_evidence",
        "record_evidence_unavailable",
        "arrange_draft_date",
        "issue_draft",
        "submit_comments",
        "issue_final",
        "request_review",
        "complete_review",
        "update_recommendation",
    }
)


def assert_public_and_clean(event: CaseEvent, case: Case) -> None:
    assert type(event) in CASE_EVENT_TYPES
    assert not event.model_extra, f"fields outside the model: {event.model_extra}"
    assert set(event.model_dump()) <= set(type(event).model_fields)
    assert CANARY not in event.model_dump_json()
    assert event.reference == case.reference
    assert event.stage is case.stage


class CaseLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.casework_rules = CaseworkRules()
        self.now = START
        self.case, events = open_case(
            REFERENCE,
            Organisation(name="Some Trust", sector=Sector.HEALTH),
            Channel.WEB,
            START,
            EligibilityFlags(eligible=True),
            False,
            self.casework_rules,
        )
        for event in events:
            assert_public_and_clean(event, self.case)
        self.reported_missed: set[str] = set()
        self.successful_commands = 0
        self.system_entries = 0
        self.closures = 0

    @rule(hours=st.integers(min_value=1, max_value=24 * 25))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(command=any_command, actor=actors)
    def act(self, command: Command, actor: Actor) -> None:
        """Any command at all: most are refused, and a refusal must change nothing."""
        before = self.case.model_dump(mode="json")
        offered = command.action in allowed_actions(
            self.case, self.now, self.casework_rules, actor.role
        )
        try:
            events = handle(self.case, command, actor, self.now, self.casework_rules)
        except ActionNotAllowed:
            assert not offered
            assert self.case.model_dump(mode="json") == before
            return
        except DomainRuleBroken:
            assert self.case.model_dump(mode="json") == before
            return
        self.successful_commands += 1
        for event in events:
            assert_public_and_clean(event, self.case)
        self.closures += sum(isinstance(event, CaseClosed) for event in events)

    @rule(data=st.data(), actor=actors)
    def act_as_offered(self, data: st.DataObject, actor: Actor) -> None:
        """A command the case offers right now, so runs reach the later stages too."""
        offered = allowed_actions(self.case, self.now, self.casework_rules, actor.role)
        # Actions that are always on offer would crowd out the ones that move the case on.
        moving = [action for action in offered if action not in ALWAYS_OFFERED] or offered
        action = data.draw(st.sampled_from(moving))
        self.act(data.draw(COMMAND_STRATEGIES[action]), actor)

    @rule(data=st.data(), actor=actors)
    def investigate(self, data: st.DataObject, actor: Actor) -> None:
        """An offered step on the long road (investigation, decision, review, compliance)."""
        offered = allowed_actions(self.case, self.now, self.casework_rules, actor.role)
        onward = [action for action in offered if action in LONG_ROAD]
        if onward:
            action = data.draw(st.sampled_from(onward))
            self.act(data.draw(COMMAND_STRATEGIES[action]), actor)

    @rule()
    def sweep_deadlines(self) -> None:
        """The scheduler: send a held draft whose day has come, then report missed deadlines."""
        held = self.case.held_draft
        released = release_held_draft(self.case, self.now.date(), self.casework_rules)
        if released:
            assert held is not None
            assert held.send_on <= self.now.date()
            assert self.case.stage is Stage.DRAFT_DECISION
            self.system_entries += 1
        for event in released:
            assert_public_and_clean(event, self.case)
        for event in missed_deadlines(self.case, self.now.date()):
            assert_public_and_clean(event, self.case)
            if isinstance(event, DeadlineMissed):
                assert event.deadline_id not in self.reported_missed
                assert event.due_by < self.now.date()
                self.reported_missed.add(event.deadline_id)

    @rule(
        status=st.sampled_from(
            ["delivered", "temporary-failure", "permanent-failure", "technical-failure"]
        ),
        notification=st.sampled_from(["n-1", "n-2"]),
    )
    def a_delivery_fails(self, status: str, notification: str) -> None:
        problem = ContactProblem(
            notification_id=notification,
            channel="email",
            template="acknowledgement",
            status=status,
            at=self.now,
        )
        known = any(
            p.notification_id == notification and p.status == status
            for p in self.case.contact_problems
        )
        noted = note_contact_problem(self.case, problem)
        assert noted == (status in CONTACT_PROBLEM_STATUSES and not known)
        self.system_entries += noted

    @invariant()
    def a_held_draft_waits_in_investigation_for_its_day(self) -> None:
        held = self.case.held_draft
        if held is None:
            return
        assert self.case.stage is Stage.INVESTIGATION
        assert self.case.draft is None
        release = self.case.deadline("draft_release")
        assert release is not None
        assert release.is_open
        assert release.due_by == held.send_on

    @invariant()
    def organisations_are_distinct(self) -> None:
        names = [o.name.casefold() for o in self.case.all_organisations]
        assert len(names) == len(set(names))
        for recommendation in self.case.recommendations:
            assert recommendation.organisation in self.case.all_organisations

    @invariant()
    def closure_reason_matches_stage(self) -> None:
        case = self.case
        if case.stage in (Stage.CLOSED, Stage.REVIEW):
            assert case.closure_reason is not None
            assert case.paused_since is None
            assert self.closures == 1
        else:
            assert case.closure_reason is None
            assert self.closures == 0

    @invariant()
    def decision_only_when_closed_or_in_review(self) -> None:
        if self.case.decision is not None:
            assert self.case.stage in (Stage.CLOSED, Stage.REVIEW)
            assert self.case.closure_reason is not None
            assert self.case.closure_reason.value == self.case.decision.outcome.value
        if self.case.recommendations:
            assert self.case.decision is not None

    @invariant()
    def history_follows_the_stage_machine(self) -> None:
        history = self.case.history
        assert history[0].stage is Stage.ASSESSMENT
        assert history[-1].stage is self.case.stage
        for earlier, later in itertools.pairwise(history):
            assert (earlier.stage, later.stage) in TRANSITIONS
            assert earlier.at <= later.at

    @invariant()
    def deadlines_are_unique_and_missed_ones_were_reported_once(self) -> None:
        ids = [d.deadline_id for d in self.case.deadlines]
        assert len(ids) == len(set(ids))
        missed = {d.deadline_id for d in self.case.deadlines if d.status is DeadlineStatus.MISSED}
        assert missed == self.reported_missed
        for recommendation in self.case.recommendations:
            if recommendation.status is RecommendationStatus.OVERDUE:
                assert f"recommendation_{recommendation.recommendation_id}" in missed

    @invariant()
    def audit_has_one_entry_per_change(self) -> None:
        assert len(self.case.audit) == 1 + self.successful_commands + self.system_entries

    @invariant()
    def case_round_trips_through_json(self) -> None:
        assert Case.model_validate(self.case.model_dump(mode="json")) == self.case


CaseLifecycle.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCaseLifecycle = CaseLifecycle.TestCase
