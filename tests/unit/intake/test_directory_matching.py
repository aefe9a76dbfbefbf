"""Intake matches the organisation typed to the directory (issue 13 item 6): the internal event
carries the entry (id, official name) and keeps what was typed beside it, privately."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain import DEFAULT_RULES, Complaint
from services.intake.field_errors import errors_by_field
from services.intake.schemas import ComplaintRequest
from services.intake.store import IntakeStores
from services.intake.submissions import ComplaintIntake, UnknownOrganisationError
from shared.events import ComplaintReceived, Sector
from tests.kit.fakes.intake import fake_intake_stores
from tests.kit.work import FakeUnitOfWork

from .hostile_requests import TODAY, valid_complaint

NOW = datetime.combine(TODAY, time(10, 0), tzinfo=UTC)
HOSTILE = "Dr Grace Hopper practice, grace.hopper@example.org, 07911 123456, LS1 1AA"


def a_complaint(**organisation: Any) -> Complaint:
    body = valid_complaint() | {"organisation": organisation}
    return ComplaintRequest.model_validate(body, context={"today": TODAY}).to_complaint()


@pytest.fixture
def uow() -> FakeUnitOfWork[IntakeStores]:
    return FakeUnitOfWork(fake_intake_stores())


async def received(uow: FakeUnitOfWork[IntakeStores], complaint: Complaint) -> ComplaintReceived:
    intake = ComplaintIntake(uow, DEFAULT_RULES)  # type: ignore[arg-type]
    await intake.submit(complaint, idempotency_key=None, now=NOW)
    [emitted] = uow.emitted
    assert isinstance(emitted.payload, ComplaintReceived)
    return emitted.payload


async def test_a_typed_name_that_matches_carries_the_entry_and_keeps_what_was_typed(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    typed = "the department for work & pensions"
    event = await received(uow, a_complaint(name=typed, sector="other"))
    assert event.organisation.id == "org-dwp"
    assert event.organisation.name == "Department for Work and Pensions"
    assert event.organisation.sector is Sector.PARLIAMENTARY  # the directory's, not the guess
    assert event.organisation_as_typed == "the department for work & pensions"


async def test_a_name_not_in_the_directory_is_unlisted_with_no_id(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    event = await received(uow, a_complaint(name=HOSTILE, sector="health"))
    assert event.organisation.id is None
    assert event.organisation_as_typed == HOSTILE


async def test_an_entry_chosen_from_the_list_wins_over_the_name_typed(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    event = await received(uow, a_complaint(name="my GP", sector="health", id="B82002"))
    assert (event.organisation.id, event.organisation.name) == ("B82002", "Riverside Surgery")
    assert event.organisation_as_typed == "my GP"


async def test_an_unknown_id_is_refused_and_nothing_is_emitted(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    intake = ComplaintIntake(uow, DEFAULT_RULES)  # type: ignore[arg-type]
    with pytest.raises(UnknownOrganisationError):
        await intake.submit(
            a_complaint(name="x", sector="health", id="NOPE1"), idempotency_key=None, now=NOW
        )
    assert uow.emitted == []


def test_a_malformed_id_is_a_field_error() -> None:
    body = valid_complaint() | {"organisation": {"name": "x", "sector": "health", "id": "a/../b"}}
    with pytest.raises(ValidationError) as raised:
        ComplaintRequest.model_validate(body, context={"today": TODAY})
    [error] = errors_by_field(raised.value)
    assert error.field == "organisation.id"
    assert "a/../b" not in error.message
