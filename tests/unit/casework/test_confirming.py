"""Confirming an unlisted body after the decision: its findings and recommendations follow it to
the directory entry (found by the lifecycle property test: a recommendation named a body the case
no longer concerned)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.casework.domain import (
    Accept,
    Actor,
    Case,
    CaseworkRules,
    IssueDraft,
    IssueFinal,
    RecommendationInput,
    SubmitComments,
    handle,
    open_case,
)
from services.casework.domain.commands import Command, ConfirmOrganisation
from shared.events import (
    Channel,
    EligibilityFlags,
    Organisation,
    Outcome,
    RecommendationType,
    Sector,
)

RULES = CaseworkRules()
TYPED = Organisation(name="Some Trust", sector=Sector.HEALTH)
ENTRY = Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH, id="RNS01")
CASEWORKER = Actor(id="cw-1", name="Case Worker", role="caseworker")
COMPLAINANT = Actor(id="complainant", name="Alex Jones", role="complainant")


def act(case: Case, command: Command, day: date, actor: Actor = CASEWORKER) -> None:
    handle(case, command, actor, datetime(day.year, day.month, day.day, 10, tzinfo=UTC), RULES)


def test_a_body_confirmed_after_the_decision_is_named_by_its_findings_and_recommendations() -> None:
    case, _ = open_case(
        "RED-2026-000789",
        TYPED,
        Channel.WEB,
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        EligibilityFlags(eligible=True),
        False,
        RULES,
    )
    act(case, Accept(), date(2026, 1, 12))
    act(case, IssueDraft(), date(2026, 2, 10))
    act(case, SubmitComments(), date(2026, 2, 12), COMPLAINANT)
    final = IssueFinal(
        outcome=Outcome.UPHELD,
        summary="The trust cancelled without notice.",
        recommendations=[
            RecommendationInput(
                type=RecommendationType.APOLOGY, description="Apologise.", due_on=date(2026, 6, 1)
            )
        ],
    )
    act(case, final, date(2026, 2, 13))
    assert case.recommendations[0].organisation == TYPED

    confirm = ConfirmOrganisation(organisation_id="RNS01", organisation=None, entry=ENTRY)
    act(case, confirm, date(2026, 2, 20))

    assert case.organisation == ENTRY
    assert [r.organisation for r in case.recommendations] == [ENTRY]
    assert case.decision is not None
    assert [f.organisation for f in case.decision.findings] == [ENTRY]
