"""The draft decision carries what it proposes (issue 14 part 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.casework.domain import (
    Accept,
    Actor,
    AddOrganisation,
    Case,
    CaseworkRules,
    DomainRuleBroken,
    FindingInput,
    IssueDraft,
    IssueFinal,
    RecommendationInput,
    SubmitComments,
    handle,
    open_case,
    release_held_draft,
)
from services.casework.domain.commands import Command
from services.casework.views import tracking
from shared.events import (
    CaseEvent,
    Channel,
    DraftDecisionIssued,
    EligibilityFlags,
    Organisation,
    Outcome,
    RecommendationType,
    Sector,
)

RULES = CaseworkRules()
TRUST = Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH)
COUNCIL = Organisation(name="Northshire County Council", sector=Sector.OTHER)
CASEWORKER = Actor(id="cw-7", name="Sam Patel", role="caseworker")
COMPLAINANT = Actor(id="complainant", name="Alex Jones", role="complainant")
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def act(case: Case, command: Command, when: date) -> list[CaseEvent]:
    return handle(case, command, CASEWORKER, at(when), RULES)


def investigating() -> Case:
    case, _ = open_case(
        "RED-2026-000457",
        TRUST,
        Channel.WEB,
        RECEIVED,
        EligibilityFlags(eligible=True),
        False,
        RULES,
    )
    act(case, Accept(), date(2026, 1, 12))
    act(case, AddOrganisation(name=COUNCIL.name, sector=COUNCIL.sector), date(2026, 1, 20))
    return case


def commented(case: Case) -> None:
    handle(case, SubmitComments(), COMPLAINANT, at(date(2026, 2, 12)), RULES)


def proposed(**overrides: object) -> IssueDraft:
    fields: dict[str, object] = {
        "outcome": Outcome.PARTLY_UPHELD,
        "summary": "The trust delayed the referral; the council acted properly.",
        "findings": [
            FindingInput(
                organisation=COUNCIL.name, outcome=Outcome.NOT_UPHELD, summary="No failing."
            )
        ],
        "recommendations": [
            RecommendationInput(
                type=RecommendationType.APOLOGY,
                description="Apologise in writing for the delay.",
                due_on=date(2026, 4, 1),
            )
        ],
    }
    fields.update(overrides)
    return IssueDraft.model_validate(fields)


def test_the_draft_keeps_its_content_and_the_event_carries_no_free_text() -> None:
    case = investigating()
    events = act(case, proposed(), date(2026, 2, 10))
    issued = next(e for e in events if isinstance(e, DraftDecisionIssued))
    assert issued.proposed_outcome is Outcome.PARTLY_UPHELD
    assert issued.recommendation_types == [RecommendationType.APOLOGY]
    public = issued.model_dump_json()
    assert "Apologise" not in public
    assert "delayed the referral" not in public

    assert case.draft is not None
    assert case.draft.content is not None
    assert [f.organisation.name for f in case.draft.content.findings] == [TRUST.name, COUNCIL.name]
    view = tracking(case, date(2026, 2, 10), at(date(2026, 2, 10)), RULES, [])["draft_decision"]
    assert view["proposed_outcome"] == "partly_upheld"
    assert view["summary"].startswith("The trust delayed")
    assert view["how_we_reached_it"]  # built from the case when not given
    assert view["findings"][1] == {
        "organisation": COUNCIL.name,
        "outcome": "not_upheld",
        "summary": "No failing.",
    }
    assert view["proposed_recommendations"] == [
        {
            "type": "apology",
            "description": "Apologise in writing for the delay.",
            "due_on": date(2026, 4, 1),
            "organisation": TRUST.name,
        }
    ]
    assert view["comments_due_by"] == case.draft.comments_due_by


def test_a_held_draft_keeps_its_content_until_its_day() -> None:
    case = investigating()
    assert act(case, proposed(scheduled_for=date(2026, 2, 20)), date(2026, 2, 10)) == []
    assert case.held_draft is not None
    assert case.held_draft.content is not None
    events = release_held_draft(case, date(2026, 2, 20), RULES)
    issued = next(e for e in events if isinstance(e, DraftDecisionIssued))
    assert issued.proposed_outcome is Outcome.PARTLY_UPHELD
    assert case.draft is not None
    assert case.draft.content is not None
    assert case.draft.content.recommendations[0].description.startswith("Apologise")


def test_a_draft_without_content_still_works_for_older_clients() -> None:
    case = investigating()
    events = act(case, IssueDraft(), date(2026, 2, 10))
    issued = next(e for e in events if isinstance(e, DraftDecisionIssued))
    assert issued.proposed_outcome is None
    assert issued.recommendation_types == []
    view = tracking(case, date(2026, 2, 10), at(date(2026, 2, 10)), RULES, [])["draft_decision"]
    assert view["proposed_outcome"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": None}, "needs its proposed outcome"),
        ({"summary": None}, "needs its summary"),
        ({"outcome": Outcome.NOT_UPHELD, "findings": []}, "carries no recommendations"),
        (
            {
                "findings": [
                    FindingInput(organisation="Elsewhere", outcome=Outcome.UPHELD, summary="x")
                ]
            },
            "does not concern",
        ),
    ],
)
def test_a_draft_the_final_decision_could_not_carry_is_refused(
    overrides: dict[str, object], message: str
) -> None:
    case = investigating()
    with pytest.raises(DomainRuleBroken, match=message):
        act(case, proposed(**overrides), date(2026, 2, 10))
    assert case.draft is None
    assert case.held_draft is None


def test_the_final_decision_says_nothing_changed_or_what_did_and_why() -> None:
    case = investigating()
    act(case, proposed(), date(2026, 2, 10))
    commented(case)
    final = {
        "outcome": Outcome.PARTLY_UPHELD,
        "summary": "As the draft.",
        "findings": [
            FindingInput(organisation=COUNCIL.name, outcome=Outcome.NOT_UPHELD, summary="No.")
        ],
    }
    with pytest.raises(DomainRuleBroken, match="changes_since_draft"):
        act(case, IssueFinal.model_validate(final), date(2026, 2, 13))
    assert case.decision is None
    because = "After your comments we no longer ask for an apology: one was sent in March."
    act(
        case,
        IssueFinal.model_validate({**final, "changes_since_draft": because}),
        date(2026, 2, 13),
    )
    assert case.decision is not None
    assert case.decision.changes_since_draft == because


def test_an_unchanged_final_decision_says_so() -> None:
    case = investigating()
    act(case, proposed(outcome=Outcome.UPHELD, findings=[]), date(2026, 2, 10))
    commented(case)
    final = IssueFinal(
        outcome=Outcome.UPHELD,
        summary="As the draft.",
        recommendations=[
            RecommendationInput(
                type=RecommendationType.APOLOGY, description="Apologise.", due_on=date(2026, 4, 1)
            )
        ],
    )
    act(case, final, date(2026, 2, 13))
    assert case.decision is not None
    assert case.decision.changes_since_draft.startswith("Nothing changed")
