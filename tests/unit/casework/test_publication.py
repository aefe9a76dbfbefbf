"""Public case events name a body by its directory entry or as "unlisted" (issue 13 item 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.casework.domain.publication import public_organisation, published
from shared.directory import UNLISTED
from shared.events import (
    FinalDecisionIssued,
    Organisation,
    OrganisationAdded,
    OrganisationFinding,
    Outcome,
    RecommendationStatus,
    RecommendationSummary,
    RecommendationType,
    Sector,
    Stage,
)

NOW = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
TYPED = Organisation(
    name="Dr Grace Hopper, grace.hopper@example.org, 07911 123456", sector="health"
)
LISTED = Organisation(id="B82002", name="Riverside Surgery", sector=Sector.HEALTH)


def test_a_listed_body_is_published_as_its_entry() -> None:
    assert public_organisation(LISTED) == LISTED


def test_an_unlisted_body_is_published_as_unlisted_keeping_its_sector() -> None:
    public = public_organisation(TYPED)
    assert public.model_dump() == {"name": UNLISTED, "sector": Sector.HEALTH, "id": None}


def test_every_organisation_anywhere_in_an_event_is_published_by_its_entry_or_unlisted() -> None:
    decision = FinalDecisionIssued(
        reference="RDR-2027-ABC123",
        occurred_at=NOW,
        organisation=TYPED,
        stage=Stage.CLOSED,
        outcome=Outcome.UPHELD,
        review_request_due_by=date(2027, 2, 5),
        recommendations=[
            RecommendationSummary(
                recommendation_id="r1",
                type=RecommendationType.APOLOGY,
                due_on=date(2027, 3, 1),
                status=RecommendationStatus.MADE,
                organisation=TYPED,
            ),
            RecommendationSummary(
                recommendation_id="r2",
                type=RecommendationType.APOLOGY,
                due_on=date(2027, 3, 1),
                status=RecommendationStatus.MADE,
                organisation=LISTED,
            ),
        ],
        findings=[
            OrganisationFinding(organisation=TYPED, outcome=Outcome.UPHELD),
            OrganisationFinding(organisation=LISTED, outcome=Outcome.NOT_UPHELD),
        ],
    )
    public = published(decision)
    text = public.model_dump_json()
    assert "Hopper" not in text
    assert "example.org" not in text
    assert "07911" not in text
    assert public.organisation.name == UNLISTED
    assert [r.organisation for r in public.recommendations] == [
        public_organisation(TYPED),
        LISTED,
    ]
    assert [f.organisation.name for f in public.findings] == [UNLISTED, "Riverside Surgery"]
    assert public.outcome is Outcome.UPHELD
    assert decision.organisation == TYPED  # the case's own copy is untouched


def test_an_added_body_typed_by_staff_is_unlisted_too() -> None:
    added = OrganisationAdded(
        reference="RDR-2027-ABC123",
        occurred_at=NOW,
        organisation=LISTED,
        stage=Stage.INVESTIGATION,
        added_organisation=TYPED,
    )
    public = published(added)
    assert public.organisation == LISTED
    assert public.added_organisation.name == UNLISTED
