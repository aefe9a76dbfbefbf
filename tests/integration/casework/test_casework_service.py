"""Casework on the real broker and both databases: cases open from complaints, every path through
the lifecycle, what the complainant sees, and deadlines reported exactly once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from services.casework.app import create_app
from services.casework.settings import CaseworkSettings
from services.casework.store import outbox
from shared.auth import Role, issue_staff_token
from shared.envelope import build_event
from shared.events import (
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    EligibilityFlags,
    Organisation,
    Sector,
)
from shared.settings import DEVELOPMENT_AUTH_SECRET
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.service_harness import running

pytestmark = pytest.mark.integration

MANAGER_TOKEN = issue_staff_token(
    DEVELOPMENT_AUTH_SECRET, sub="m1", name="Morgan", role=Role.MANAGER
)
STAFF = {"Authorization": f"Bearer {MANAGER_TOKEN}"}
SECRET_WORDS = (
    "Zebedee Quartermain",
    "zebedee@example.org",
    "+447700900123",
    "unmistakable-summary-text",
)


def a_complaint(reference: str, received_at: datetime | None = None) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id=str(uuid.uuid4()),
        reference=reference,
        received_at=received_at or datetime.now(UTC),
        channel=Channel.WEB,
        complainant=Complainant(
            name=SECRET_WORDS[0],
            email=SECRET_WORDS[1],
            phone=SECRET_WORDS[2],
            preferred_contact=ContactMethod.EMAIL,
        ),
        organisation=Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH),
        summary=f"An {SECRET_WORDS[3]} about a cancelled operation.",
        desired_outcome="An apology.",
        first_aware_on=date(2026, 6, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=f"token-{reference}",
    )


async def publish_complaint(bootstrap: str, complaint: ComplaintReceived) -> None:
    event = build_event(complaint, source_service="intake", subject=complaint.reference)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            INTAKE_COMPLAINTS.name, event.value(), key=event.key(), headers=event.headers()
        )
    finally:
        await producer.stop()


def new_reference() -> str:
    return f"RDR-T-{uuid.uuid4().hex[:8].upper()}"


def settings_for(database_url: str, bootstrap: str, prefix: str) -> CaseworkSettings:
    return CaseworkSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        consumer_group_prefix=prefix,
        deadline_check_seconds=3600,
    )


@pytest.fixture
async def casework(
    database_url: str, kafka_bootstrap: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings_for(database_url, kafka_bootstrap, f"test-{uuid.uuid4().hex[:6]}"))
    async with running(app) as client:
        yield client, app


async def opened_case(
    client: httpx.AsyncClient, bootstrap: str, reference: str, **kwargs: Any
) -> dict[str, Any]:
    await publish_complaint(bootstrap, a_complaint(reference, **kwargs))
    for _ in range(300):
        response = await client.get(
            f"/v1/track/{reference}", params={"token": f"token-{reference}"}
        )
        if response.status_code == 200:
            return dict(response.json())
        await asyncio.sleep(0.1)
    raise AssertionError("case never opened")


async def act(
    client: httpx.AsyncClient, reference: str, action: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = await client.post(f"/v1/cases/{reference}/actions", json=action, headers=STAFF)
    assert response.status_code == expect, response.text
    return dict(response.json())


async def public_events(app: Any, reference: str) -> list[tuple[str, dict[str, Any]]]:
    async with app.state.service.db.sessions() as session:
        rows = await session.execute(
            select(outbox).where(outbox.c.message_key == reference).order_by(outbox.c.seq)
        )
        return [(row.ce_type, json.loads(row.value)) for row in rows]


async def test_a_complaint_opens_an_assigned_case_and_public_events_carry_no_personal_data(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    view = await opened_case(client, kafka_bootstrap, reference)
    assert view["stage"] == "assessment"
    assert view["caseworker"]["name"]
    assert view["next_milestone"]["name"] == "Our decision on whether we will investigate"

    events = await public_events(app, reference)
    assert [t for t, _ in events] == ["redress.case.opened", "redress.case.assigned"]
    staff_view = (await client.get(f"/v1/cases/{reference}", headers=STAFF)).json()
    assert (
        staff_view["complaint"]["complainant"]["name"] == SECRET_WORDS[0]
    )  # staff see the complaint
    for _, data in events:
        text = json.dumps(data)
        assert not any(secret in text for secret in SECRET_WORDS)


async def test_wrong_tokens_and_unknown_references_look_the_same(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, _ = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    wrong = await client.get(f"/v1/track/{reference}", params={"token": "guess"})
    unknown = await client.get("/v1/track/RDR-NOPE", params={"token": "guess"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert (await client.get(f"/v1/cases/{reference}")).status_code == 401


@pytest.mark.parametrize(
    ("action", "closure"),
    [
        ({"action": "decline", "reason": "premature"}, "declined"),
        ({"action": "resolve_early"}, "resolved_early"),
        ({"action": "withdraw"}, "withdrawn"),
    ],
)
async def test_cases_close_at_assessment(
    casework: tuple[httpx.AsyncClient, Any],
    kafka_bootstrap: str,
    action: dict[str, Any],
    closure: str,
) -> None:
    client, app = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    await act(client, reference, action)
    view = (
        await client.get(f"/v1/track/{reference}", params={"token": f"token-{reference}"})
    ).json()
    assert view["stage"] == "closed"
    assert view["closure_reason"] == closure
    closed = [d for t, d in await public_events(app, reference) if t == "redress.case.closed"]
    assert closed[0]["closure_reason"] == closure


async def test_an_investigated_case_through_draft_decision_review_and_recommendations(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    token = {"token": f"token-{reference}"}
    await opened_case(client, kafka_bootstrap, reference)

    refused = await act(client, reference, {"action": "issue_draft"}, expect=409)
    assert "accept" in refused["allowed_actions"]
    await act(client, reference, {"action": "accept"})
    await act(client, reference, {"action": "request_evidence", "description": "Clinical records"})
    await act(client, reference, {"action": "issue_draft"})

    view = (await client.get(f"/v1/track/{reference}", params=token)).json()
    assert view["stage"] == "draft_decision"
    assert view["draft_decision"]["comments_due_by"]
    assert "submit_comments" in view["you_can"]
    final = {
        "action": "issue_final",
        "outcome": "partly_upheld",
        "summary": "The trust did not explain the cancellations.",
        "recommendations": [
            {
                "type": "apology",
                "description": "Apologise in writing.",
                "due_on": (date.today() + timedelta(days=30)).isoformat(),
            },
            {
                "type": "service_improvement",
                "description": "Review how cancellations are told to patients.",
                "due_on": (date.today() + timedelta(days=90)).isoformat(),
            },
        ],
    }
    early = await act(client, reference, final, expect=422)
    assert "comment" in early["error"].lower()

    commented = await client.post(
        f"/v1/track/{reference}/comments", params=token, json={"comments": "Accurate."}
    )
    assert commented.status_code == 200
    decided = await act(client, reference, final)
    assert decided["case"]["stage"] == "closed"
    view = (await client.get(f"/v1/track/{reference}", params=token)).json()
    assert view["decision"]["outcome"] == "partly_upheld"
    assert [r["status"] for r in view["recommendations"]] == ["made", "made"]

    review = await client.post(
        f"/v1/track/{reference}/review-request",
        params=token,
        json={"grounds": ["new_information"], "reason": "A letter."},
    )
    assert review.status_code == 200, review.text
    assert review.json()["stage"] == "review"
    await act(client, reference, {"action": "complete_review", "outcome": "decision_upheld"})

    recommendation_id = decided["case"]["recommendations"][0]["recommendation_id"]
    await act(
        client,
        reference,
        {
            "action": "update_recommendation",
            "recommendation_id": recommendation_id,
            "status": "implemented",
        },
    )
    view = (await client.get(f"/v1/track/{reference}", params=token)).json()
    assert view["stage"] == "closed"
    assert view["recommendations"][0]["status"] == "implemented"
    types = [t for t, _ in await public_events(app, reference)]
    for expected in (
        "redress.case.final_decision_issued",
        "redress.case.recommendation_made",
        "redress.case.review_requested",
        "redress.case.review_completed",
        "redress.case.recommendation_updated",
        "redress.case.comments_received",
    ):
        assert expected in types


async def test_a_missed_deadline_is_reported_once_even_with_two_instances(
    database_url: str, kafka_bootstrap: str
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:6]}"
    first = create_app(settings_for(database_url, kafka_bootstrap, prefix))
    second = create_app(settings_for(database_url, kafka_bootstrap, prefix))
    reference = new_reference()
    async with running(first) as client, running(second):
        await opened_case(
            client, kafka_bootstrap, reference, received_at=datetime(2026, 1, 5, 10, tzinfo=UTC)
        )
        after_deadline = date(2026, 3, 1)
        for _ in range(3):
            await asyncio.gather(
                first.state.casework.report_missed_deadlines(after_deadline),
                second.state.casework.report_missed_deadlines(after_deadline),
            )
        missed = [
            d
            for t, d in await public_events(first, reference)
            if t == "redress.case.deadline_missed"
        ]
    assert len(missed) == 1
    assert missed[0]["deadline"] == "assessment_decision"
