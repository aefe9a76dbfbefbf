"""The directory of organisations on the real database and broker (issue 13 item 6): seeded at
start-up, suggested to the form, managed by admins and managers, and matched on submission."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from shared.auth import Role
from shared.directory import read_seed
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.intake.topic_reading import first_event, reading_from_now
from tests.kit.apps import running, staff_headers
from tests.unit.intake.hostile_requests import TODAY, valid_complaint

pytestmark = pytest.mark.integration

NEW_ENTRY = {
    "name": "Westmoor Community Health Partnership",
    "sector": "health",
    "nation": "wales",
    "scheme": "ods",
    "aliases": ["Westmoor Partnership"],
}


@pytest.fixture
async def client(database_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
        smtp_listen_port=0,
    )
    app = create_app(settings, clock=lambda: datetime.combine(TODAY, time(10, 0), tzinfo=UTC))
    async with running(app) as running_client:
        yield running_client


def _complaint(**organisation: Any) -> dict[str, Any]:
    body = valid_complaint()
    body["complainant"]["email"] = f"jo.{uuid.uuid4().hex[:8]}@example.com"
    body["organisation"] = organisation
    return body


async def test_the_seed_is_loaded_and_suggested_by_name(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/organisations", params={"q": "northshire nhs trust"})
    assert answer.status_code == 200
    names = [entry["name"] for entry in answer.json()["organisations"]]
    assert names[0] == "Northshire NHS Trust"
    assert "Northshire Hospitals NHS Trust" in names
    one = await client.get("/v1/organisations/RR8")
    assert one.json()["name"] == "Leeds Teaching Hospitals NHS Trust"
    assert (await client.get("/v1/organisations/NOPE9")).status_code == 404
    too_long = await client.get("/v1/organisations", params={"q": "x" * 201})
    assert too_long.status_code == 422


async def test_admins_and_managers_add_and_correct_entries_and_nobody_else_can(
    client: httpx.AsyncClient,
) -> None:
    entry_id = f"W{uuid.uuid4().hex[:5].upper()}"
    path = f"/v1/organisations/{entry_id}"
    assert (await client.put(path, json=NEW_ENTRY)).status_code == 401
    refused = await client.put(path, json=NEW_ENTRY, headers=staff_headers(Role.CASEWORKER))
    assert refused.status_code == 403
    added = await client.put(path, json=NEW_ENTRY, headers=staff_headers(Role.ADMIN))
    assert added.status_code == 201
    corrected = NEW_ENTRY | {"name": "Westmoor Health Partnership"}
    again = await client.put(path, json=corrected, headers=staff_headers(Role.MANAGER))
    assert again.status_code == 200
    assert (await client.get(path)).json()["name"] == "Westmoor Health Partnership"
    bad = await client.put(
        path, json=NEW_ENTRY | {"sector": "banking"}, headers=staff_headers(Role.ADMIN)
    )
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["fields"]] == ["sector"]


async def test_a_complaint_about_a_listed_body_publishes_the_entry_internally(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        typed = "riverside   surgery"
        answer = await client.post("/v1/complaints", json=_complaint(name=typed, sector="health"))
        assert answer.status_code == 201
        reference = answer.json()["reference"]
        _, data = await first_event(topic, lambda data: data["reference"] == reference)
    assert data["organisation"] == {"id": "B82002", "name": "Riverside Surgery", "sector": "health"}
    assert data["organisation_as_typed"] == typed


async def test_an_unknown_organisation_id_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    body = _complaint(name="Somewhere", sector="health", id="NOPE9")
    answer = await client.post("/v1/complaints", json=body)
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["fields"]] == ["organisation.id"]


async def test_the_form_offers_every_entry_and_a_not_listed_choice(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/")).text
    assert '<select class="" id="organisation-id" name="organisation.id"' in page
    assert '<option value="" selected>It is not in this list, or I am not sure</option>' in page
    for entry in read_seed():
        assert f'<option value="{entry.id}">' in page, entry.id
