"""Several organisations, evidence that could not be had, expert advice, a draft sent on the day
the complainant chose, a final decision that explains itself, and failed deliveries
(England calendar; dates checked by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.casework.domain import (
    Accept,
    ActionNotAllowed,
    Actor,
    AddOrganisation,
    ArrangeDraftDate,
    Case,
    CaseworkRules,
    ContactProblem,
    DeadlineStatus,
    DomainRuleBroken,
    FindingInput,
    IssueDraft,
    IssueFinal,
    Pause,
    ReceiveEvidence,
    RecommendationInput,
    RecordEvidenceUnavailable,
    RecordExpertAdvice,
    RequestEvidence,
    Resume,
    SubmitComments,
    Withdraw,
    allowed_actions,
    draft_arrangement,
    evidence_gaps,
    handle,
    latest_draft_send_date,
    missed_deadlines,
    next_milestone,
    note_contact_problem,
    open_case,
    release_held_draft,
)
from services.casework.domain.commands import Command
from shared.events import (
    CaseEvent,
    Channel,
    DraftDecisionIssued,
    EligibilityFlags,
    FinalDecisionIssued,
    Organisation,
    OrganisationAdded,
    OrganisationFinding,
    Outcome,
    RecommendationMade,
    RecommendationType,
    Sector,
    Stage,
    StageChanged,
)

RULES = CaseworkRules()
REFERENCE = "RED-2026-000456"
TRUST = Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH)
COUNCIL = Organisation(name="Northshire County Council", sector=Sector.OTHER)
CASEWORKER = Actor(id="cw-7", name="Sam Patel", role="caseworker")
COMPLAINANT = Actor(id="complainant", name="Alex Jones", role="complainant")
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
ACCEPTED_ON = date(2026, 1, 12)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def act(case: Case, command: Command, when: date, actor: Actor = CASEWORKER) -> list[CaseEvent]:
    return handle(case, command, actor, at(when), RULES)


def investigating(lead: Organisation = TRUST) -> Case:
    case, _ = open_case(
        REFERENCE, lead, Channel.WEB, RECEIVED, EligibilityFlags(eligible=True), False, RULES
    )
    act(case, Accept(), ACCEPTED_ON)
    return case


def with_council() -> Case:
    case = investigating()
    act(case, AddOrganisation(name=COUNCIL.name, sector=COUNCIL.sector), date(2026, 1, 20))
    return case


def decided(case: Case, final: IssueFinal) -> list[CaseEvent]:
    act(case, IssueDraft(), date(2026, 2, 10))
    act(case, SubmitComments(), date(2026, 2, 12), COMPLAINANT)
    return act(case, final, date(2026, 2, 13))


def due(day: int) -> date:
    return date(2026, 6, day)


# ------------------------------------------------------------------------ several organisations


def test_adding_an_organisation_is_public_and_keeps_the_lead() -> None:
    case = investigating()
    events = act(
        case, AddOrganisation(name=" Northshire  County Council", sector="other"), ACCEPTED_ON
    )
    assert len(events) == 1
    assert isinstance(events[0], OrganisationAdded)
    assert events[0].added_organisation == COUNCIL
    assert events[0].organisation == TRUST  # events still name the lead body
    assert case.organisation == TRUST
    assert case.organisations == [COUNCIL]


@pytest.mark.parametrize("name", ["northshire nhs trust", "NORTHSHIRE COUNTY  COUNCIL"])
def test_the_same_organisation_cannot_be_added_twice(name: str) -> None:
    case = with_council()
    before = case.model_dump(mode="json")
    with pytest.raises(DomainRuleBroken, match="already concerns"):
        act(case, AddOrganisation(name=name, sector="health"), date(2026, 1, 21))
    assert case.model_dump(mode="json") == before


def test_each_organisation_gets_its_own_finding_and_recommendations() -> None:
    case = with_council()
    events = decided(
        case,
        IssueFinal(
            outcome=Outcome.PARTLY_UPHELD,
            summary="The trust failed to explain; the council acted properly.",
            findings=[
                FindingInput(
                    organisation="northshire county council",
                    outcome="not_upheld",
                    summary="The council followed its policy.",
                ),
            ],
            recommendations=[
                RecommendationInput(
                    type=RecommendationType.APOLOGY, description="Apologise.", due_on=due(1)
                )
            ],
        ),
    )
    assert case.decision is not None
    assert [(f.organisation, f.outcome) for f in case.decision.findings] == [
        (TRUST, Outcome.PARTLY_UPHELD),
        (COUNCIL, Outcome.NOT_UPHELD),
    ]
    assert case.decision.findings[0].summary.startswith("The trust failed")
    final = events[0]
    assert isinstance(final, FinalDecisionIssued)
    assert final.findings == [
        OrganisationFinding(organisation=TRUST, outcome=Outcome.PARTLY_UPHELD),
        OrganisationFinding(organisation=COUNCIL, outcome=Outcome.NOT_UPHELD),
    ]
    # A recommendation names nobody: it is for the lead body, and says so in public.
    assert final.recommendations[0].organisation == TRUST
    made = [e for e in events if isinstance(e, RecommendationMade)]
    assert made[0].recommendation.organisation == TRUST


def test_a_recommendation_can_be_for_an_added_organisation() -> None:
    case = with_council()
    decided(
        case,
        IssueFinal(
            outcome=Outcome.UPHELD,
            summary="Both failed.",
            findings=[FindingInput(organisation=COUNCIL.name, outcome="upheld", summary="Late.")],
            recommendations=[
                RecommendationInput(type="apology", description="Apologise.", due_on=due(1)),
                RecommendationInput(
                    type="service_improvement",
                    description="Fix the rota.",
                    due_on=due(2),
                    organisation="Northshire County Council",
                ),
            ],
        ),
    )
    assert [r.organisation for r in case.recommendations] == [TRUST, COUNCIL]


@pytest.mark.parametrize(
    ("final", "refusal"),
    [
        (
            IssueFinal(
                outcome="upheld",
                summary="s",
                recommendations=[
                    RecommendationInput(
                        type="apology",
                        description="d",
                        due_on=due(1),
                        organisation="Southshire Police",
                    )
                ],
            ),
            "does not concern 'Southshire Police'",
        ),
        (
            IssueFinal(
                outcome="upheld",
                summary="s",
                findings=[
                    FindingInput(organisation=COUNCIL.name, outcome="not_upheld", summary="fine")
                ],
                recommendations=[
                    RecommendationInput(
                        type="apology", description="d", due_on=due(1), organisation=COUNCIL.name
                    )
                ],
            ),
            "about Northshire County Council is not upheld",
        ),
        (
            IssueFinal(
                outcome="not_upheld",
                summary="s",
                findings=[
                    FindingInput(organisation=COUNCIL.name, outcome="upheld", summary="late")
                ],
            ),
            "upheld against Northshire County Council",
        ),
        (
            IssueFinal(
                outcome="upheld",
                summary="s",
                findings=[
                    FindingInput(outcome="upheld", summary="a"),
                    FindingInput(organisation=TRUST.name, outcome="upheld", summary="b"),
                ],
            ),
            "two findings for Northshire NHS Trust",
        ),
    ],
)
def test_decisions_that_do_not_fit_the_organisations_are_refused(
    final: IssueFinal, refusal: str
) -> None:
    case = with_council()
    act(case, IssueDraft(), date(2026, 2, 10))
    act(case, SubmitComments(), date(2026, 2, 12), COMPLAINANT)
    before = case.model_dump(mode="json")
    with pytest.raises(DomainRuleBroken, match=refusal):
        act(case, final, date(2026, 2, 13))
    assert case.model_dump(mode="json") == before


# ------------------------------------------------------------------ evidence and expert advice


def test_evidence_that_cannot_be_had_is_settled_and_never_reported_missed() -> None:
    case = investigating()
    act(case, RequestEvidence(description="Ward rota", due_on=date(2026, 1, 30)), ACCEPTED_ON)
    act(case, RequestEvidence(description="Clinical records"), ACCEPTED_ON)
    act(
        case,
        RecordEvidenceUnavailable(
            request_id=f"{REFERENCE}-E1", how_decision_deals_with_it="We relied on staff accounts."
        ),
        date(2026, 1, 20),
    )
    first = case.evidence_requests[0]
    assert first.unavailable is not None
    assert first.unavailable.how_decision_deals_with_it == "We relied on staff accounts."
    assert case.deadline(f"evidence_{REFERENCE}-E1").status is DeadlineStatus.CANCELLED  # type: ignore[union-attr]
    assert missed_deadlines(case, date(2026, 2, 2)) == []
    with pytest.raises(DomainRuleBroken, match="recorded as unavailable"):
        act(case, ReceiveEvidence(request_id=f"{REFERENCE}-E1"), date(2026, 1, 21))
    with pytest.raises(DomainRuleBroken, match="already settled"):
        act(
            case,
            RecordEvidenceUnavailable(request_id=f"{REFERENCE}-E1", how_decision_deals_with_it="x"),
            date(2026, 1, 21),
        )
    with pytest.raises(DomainRuleBroken, match="no evidence request"):
        act(
            case,
            RecordEvidenceUnavailable(request_id="E9", how_decision_deals_with_it="x"),
            date(2026, 1, 21),
        )
    act(case, ReceiveEvidence(request_id=f"{REFERENCE}-E2"), date(2026, 1, 22))
    # Nothing is outstanding any more, so neither step is on offer.
    offered = allowed_actions(case, at(date(2026, 1, 23)))
    assert "receive_evidence" not in offered
    assert "record_evidence_unavailable" not in offered


def test_the_decision_explains_missing_evidence_and_advice_taken() -> None:
    case = investigating()
    act(case, RequestEvidence(description="Ward rota"), ACCEPTED_ON)
    act(
        case,
        RecordEvidenceUnavailable(
            request_id=f"{REFERENCE}-E1", how_decision_deals_with_it="We relied on staff accounts."
        ),
        date(2026, 1, 20),
    )
    act(
        case,
        RecordExpertAdvice(adviser_role="consultant surgeon", summary="Care was late."),
        date(2026, 1, 26),
    )
    assert case.expert_advice[0].advice_id == f"{REFERENCE}-X1"
    assert case.expert_advice[0].adviser_role == "consultant surgeon"
    assert evidence_gaps(case) == []  # only the final decision explains it
    decided(case, IssueFinal(outcome="upheld", summary="Care was late."))
    assert evidence_gaps(case) == [
        {
            "what_we_asked_for": "Ward rota",
            "how_our_decision_deals_with_it": "We relied on staff accounts.",
        }
    ]
    assert case.decision is not None
    explained = case.decision.how_we_reached_it
    assert "advice from consultant surgeon" in explained
    assert "comments you sent on our draft decision" in explained
    assert "could not get some of the evidence" in explained
    assert "Northshire NHS Trust told us" in explained


# -------------------------------------------------------------------------- decisions explain


def test_default_next_steps_say_how_to_ask_for_a_review_and_where_to_find_support() -> None:
    case = investigating()
    decided(
        case,
        IssueFinal(
            outcome="not_upheld",
            summary="The care was reasonable.",
            next_steps=["We have sent the trust a copy of this decision."],
        ),
    )
    assert case.decision is not None
    steps = case.decision.next_steps
    assert steps[0] == "We have sent the trust a copy of this decision."
    # One month from 13 February 2026.
    assert any("review" in s and "13 March 2026" in s for s in steps)
    assert any("NHS complaints advocacy" in s for s in steps)
    assert any("Citizens Advice" in s for s in steps)
    assert not any("check that what we recommended" in s for s in steps)


def test_a_non_health_case_points_to_general_advocacy_and_a_written_account_is_kept() -> None:
    case = investigating(lead=COUNCIL)
    decided(
        case,
        IssueFinal(
            outcome="upheld",
            summary="s",
            how_we_reached_it="We read it all.",
            recommendations=[RecommendationInput(type="apology", description="d", due_on=due(1))],
        ),
    )
    assert case.decision is not None
    assert case.decision.how_we_reached_it == "We read it all."
    steps = case.decision.next_steps
    assert not any("NHS" in s for s in steps)
    assert any("independent advocate" in s for s in steps)
    assert any("check that what we recommended" in s for s in steps)


# ------------------------------------------------------------- the draft on an arranged day


def test_the_complainant_arranges_a_day_and_the_draft_waits_for_it() -> None:
    case = investigating()
    assert "arrange_draft_date" in allowed_actions(case, at(date(2026, 2, 2)), role="complainant")
    act(case, ArrangeDraftDate(send_on=date(2026, 2, 20)), date(2026, 2, 2), COMPLAINANT)
    arranged = draft_arrangement(case, date(2026, 2, 2))
    assert arranged is not None
    assert not arranged["ready"]
    assert "we will send your draft on 20 February 2026" in arranged["description"]

    assert act(case, IssueDraft(), date(2026, 2, 10)) == []
    assert case.stage is Stage.INVESTIGATION
    assert case.draft is None
    arranged = draft_arrangement(case, date(2026, 2, 10))
    assert arranged is not None
    assert arranged["ready"]
    assert "We will send your draft on 20 February 2026" in arranged["description"]
    milestone = next_milestone(case, date(2026, 2, 10))
    assert milestone is not None
    assert milestone.due_by == date(2026, 2, 20)
    assert "issue_draft" not in allowed_actions(case, at(date(2026, 2, 11)))
    assert missed_deadlines(case, date(2026, 2, 25)) == []  # a held draft is never "missed"

    assert release_held_draft(case, date(2026, 2, 19), RULES) == []
    events = release_held_draft(case, date(2026, 2, 20), RULES)
    assert [type(e) for e in events] == [DraftDecisionIssued, StageChanged]
    assert case.draft is not None
    assert case.draft.issued_at == datetime(2026, 2, 20, 0, 0, tzinfo=UTC)  # UK midnight, GMT
    assert case.draft.comments_due_by == date(2026, 3, 6)  # 10 working days from 20 February
    assert case.audit[-1].action == "send_draft"
    assert draft_arrangement(case, date(2026, 2, 20)) is None
    assert release_held_draft(case, date(2026, 2, 21), RULES) == []


def test_the_complainant_can_move_the_day_of_a_held_draft() -> None:
    case = investigating()
    act(case, ArrangeDraftDate(send_on=date(2026, 2, 20)), date(2026, 2, 2), COMPLAINANT)
    act(case, IssueDraft(), date(2026, 2, 10))
    act(case, ArrangeDraftDate(send_on=date(2026, 2, 24)), date(2026, 2, 11), COMPLAINANT)
    assert release_held_draft(case, date(2026, 2, 20), RULES) == []
    assert release_held_draft(case, date(2026, 2, 24), RULES) != []


def test_a_chosen_day_that_has_passed_does_not_hold_the_draft() -> None:
    case = investigating()
    act(case, ArrangeDraftDate(send_on=date(2026, 2, 3)), date(2026, 2, 2), COMPLAINANT)
    assert draft_arrangement(case, date(2026, 2, 4)) is None
    events = act(case, IssueDraft(), date(2026, 2, 10))
    assert isinstance(events[0], DraftDecisionIssued)
    assert case.stage is Stage.DRAFT_DECISION


def test_a_paused_case_keeps_its_draft_until_resumed() -> None:
    case = investigating()
    act(case, IssueDraft(scheduled_for=date(2026, 2, 20)), date(2026, 2, 10))
    act(case, Pause(reason="complainant in hospital"), date(2026, 2, 18))
    assert release_held_draft(case, date(2026, 2, 23), RULES) == []
    act(case, Resume(), date(2026, 3, 2))
    events = release_held_draft(case, date(2026, 3, 2), RULES)
    assert events
    assert case.draft is not None
    # Sent just after the resume, never before it, so the history stays in order.
    assert case.draft.issued_at == at(date(2026, 3, 2))
    assert case.draft.comments_due_by == date(2026, 3, 16)


def test_withdrawing_cancels_a_held_draft() -> None:
    case = investigating()
    act(case, IssueDraft(scheduled_for=date(2026, 2, 20)), date(2026, 2, 10))
    act(case, Withdraw(), date(2026, 2, 12), COMPLAINANT)
    assert case.held_draft is None
    assert case.deadline("draft_release").status is DeadlineStatus.CANCELLED  # type: ignore[union-attr]
    assert release_held_draft(case, date(2026, 2, 20), RULES) == []
    assert case.stage is Stage.CLOSED


@pytest.mark.parametrize(
    ("today", "send_on", "message"),
    [
        (date(2026, 2, 10), date(2026, 2, 9), "9 February 2026 has already passed"),
        # 20 working days from Tuesday 10 February is Tuesday 10 March.
        (date(2026, 2, 10), date(2026, 3, 11), "no later than 10 March 2026"),
        # Good Friday (3 April) and Easter Monday (6 April) do not count.
        (date(2026, 3, 30), date(2026, 4, 30), "no later than 29 April 2026"),
    ],
)
def test_a_day_in_the_past_or_too_far_ahead_is_refused_clearly(
    today: date, send_on: date, message: str
) -> None:
    case = investigating()
    with pytest.raises(DomainRuleBroken, match=message):
        act(case, ArrangeDraftDate(send_on=send_on), today, COMPLAINANT)
    assert case.draft_send_on is None


def test_the_last_allowed_day_is_accepted_and_the_limit_is_configuration() -> None:
    assert latest_draft_send_date(date(2026, 2, 10), RULES) == date(2026, 3, 10)
    assert latest_draft_send_date(date(2026, 3, 30), RULES) == date(2026, 4, 29)
    short = CaseworkRules(draft_send_date_max_working_days=5)
    assert latest_draft_send_date(date(2026, 2, 10), short) == date(2026, 2, 17)
    case = investigating()
    act(case, ArrangeDraftDate(send_on=date(2026, 3, 10)), date(2026, 2, 10), COMPLAINANT)
    assert case.draft_send_on == date(2026, 3, 10)


def test_the_day_cannot_be_arranged_once_the_draft_is_out() -> None:
    case = investigating()
    act(case, IssueDraft(), date(2026, 2, 10))
    with pytest.raises(ActionNotAllowed):
        act(case, ArrangeDraftDate(send_on=date(2026, 2, 20)), date(2026, 2, 11), COMPLAINANT)


# ---------------------------------------------------------------------- failed deliveries


def failure(status: str, notification_id: str = "n-1") -> ContactProblem:
    return ContactProblem(
        notification_id=notification_id,
        channel="email",
        template="draft_decision",
        status=status,
        at=at(date(2026, 2, 11)),
        reason="mailbox does not exist",
    )


def test_a_lasting_delivery_failure_is_noted_once_with_an_audit_entry() -> None:
    case = investigating()
    audit_before = len(case.audit)
    assert note_contact_problem(case, failure("permanent-failure"))
    assert not note_contact_problem(case, failure("permanent-failure"))
    assert note_contact_problem(case, failure("technical-failure", "n-2"))
    assert [p.notification_id for p in case.contact_problems] == ["n-1", "n-2"]
    assert len(case.audit) == audit_before + 2
    entry = case.audit[audit_before]
    assert entry.action == "contact_problem"
    assert "draft_decision" in (entry.reason or "")
    assert "another way" in (entry.reason or "")


@pytest.mark.parametrize("status", ["temporary-failure", "delivered", "sending"])
def test_other_statuses_are_not_contact_problems(status: str) -> None:
    case = investigating()
    assert not note_contact_problem(case, failure(status))
    assert case.contact_problems == []
