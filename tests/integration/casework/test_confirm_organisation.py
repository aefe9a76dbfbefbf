"""Staff confirm an unlisted body (issue 13 item 6), on the real broker with intake's directory
served over real HTTP: the entry comes from intake, and every later public event names it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from services.casework.confirmations import UNKNOWN_ENTRY
from services.intake.app import create_app as create_intake
from services.intake.settings import IntakeSettings
from shared.directory import UNLISTED
from shared.events import Organisation, Sector
from tests.integration.casework.casework_kit import (
    a_complaint,
    act,
    public_events,
    publish_complaint,
)
from tests.integration.casework.console_kit import Console, console_app, error_summary
from tests.kit.apps import free_port, running, serve_on_port
from tests.unit.intake.hostile_requests import TODAY

pytestmark = pytest.mark.integration

TYPED = "the surgery by the river, Dr Ada Byron, ada@example.org"
ENTRY = {"id": "B82002", "name": "Riverside Surgery", "sector": "health"}


@pytest.fixture
async def console(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> AsyncIterator[Console]:
    settings = IntakeSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
        smtp_listen_port=0,
    )
    intake = create_intake(settings, clock=lambda: datetime.combine(TODAY, time(10), tzinfo=UTC))
    async with (
        running(intake),  # its start-up seeds the directory
        serve_on_port(intake, free_port()) as intake_url,
        console_app(
            f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}",
            kafka_bootstrap,
            intake_url=intake_url,
        ) as running_console,
    ):
        yield running_console


async def unlisted_case(console: Console) -> str:
    reference = f"RDR-T-{uuid.uuid4().hex[:8].upper()}"
    complaint = a_complaint(reference).model_copy(
        update={"organisation": Organisation(name=TYPED, sector=Sector.HEALTH)}
    )
    await publish_complaint(console.app.state.service.settings.kafka_bootstrap_servers, complaint)
    for _ in range(300):
        if await public_events(console.app, reference):
            return reference
        await asyncio.sleep(0.1)
    raise AssertionError("case never opened")


async def test_a_confirmed_body_is_named_by_its_entry_from_then_on(console: Console) -> None:
    reference = await unlisted_case(console)
    [(opened_type, opened), *_] = await public_events(console.app, reference)
    assert opened_type == "redress.case.opened"
    assert opened["organisation"]["name"] == UNLISTED
    assert opened["organisation"].get("id") is None

    # A caller's own "entry" is replaced by the directory's.
    forged = {"id": "B82002", "name": "Dr Ada Byron", "sector": "health"}
    action = {"action": "confirm_organisation", "organisation_id": "B82002", "entry": forged}
    view = await act(console.client, reference, action)
    assert view["case"]["organisation"]["name"] == "Riverside Surgery"
    await act(console.client, reference, {"action": "accept"})

    events = await public_events(console.app, reference)
    types = [t for t, _ in events]
    confirmed = events[types.index("redress.case.organisation_confirmed")][1]
    assert confirmed["confirmed"] == ENTRY
    changed = events[types.index("redress.case.stage_changed")][1]
    assert changed["organisation"] == ENTRY
    assert all("Byron" not in str(data) and "ada@" not in str(data) for _, data in events)

    again = await act(console.client, reference, {**action, "entry": None})
    assert again["case"]["organisation"]["name"] == "Riverside Surgery"
    assert len(await public_events(console.app, reference)) == len(events)  # nothing new


async def test_an_unknown_entry_is_a_422_naming_it_and_changes_nothing(console: Console) -> None:
    reference = await unlisted_case(console)
    before = await public_events(console.app, reference)
    answer = await act(
        console.client,
        reference,
        {"action": "confirm_organisation", "organisation_id": "NOPE9"},
        expect=422,
    )
    assert [f["field"] for f in answer["fields"]] == ["organisation_id"]
    assert await public_events(console.app, reference) == before


async def test_the_console_confirms_from_the_case_page_and_names_a_wrong_id(
    console: Console,
) -> None:
    reference = await unlisted_case(console)
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager"))
    case_page = f"/staff/cases/{reference}"
    assert "Confirm the organisation from the directory" in (await visitor.get(case_page)).text
    path = f"{case_page}/actions/confirm_organisation"

    wrong = await visitor.form_post(case_page, path, {"organisation_id": "NOPE9"})
    assert wrong.status_code == 422
    assert error_summary(wrong.text) == [UNKNOWN_ENTRY]
    assert 'id="confirm_organisation-organisation_id"' in wrong.text

    done = await visitor.form_post(case_page, path, {"organisation_id": "B82002"})
    assert done.status_code == 303
    events = await public_events(console.app, reference)
    assert [d["confirmed"] for t, d in events if t == "redress.case.organisation_confirmed"] == [
        ENTRY
    ]
