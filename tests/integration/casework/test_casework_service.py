"""Casework on the real broker and both databases: cases open from complaints, every path through
the lifecycle, what the complainant sees, and deadlines reported exactly once."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.casework.app import create_app
from shared.timekeeping import uk_date, utc_now
from tests.integration.casework.casework_kit import (
    SECRET_WORDS,
    STAFF,
    act,
    new_reference,
    opened_case,
    public_events,
    settings_for,
)
from tests.integration.service_harness import running

pytestmark = pytest.mark.integration


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


async def test_paging_past_what_the_database_can_bind_is_a_422_naming_the_field(
    casework: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = casework
    for offset in ("9223372036854775808", str(2**31)):
        listing = await client.get("/v1/cases", params={"offset": offset}, headers=STAFF)
        assert listing.status_code == 422, listing.text
        assert [f["field"] for f in listing.json()["fields"]] == ["offset"]
    last = await client.get("/v1/cases", params={"offset": str(2**31 - 1)}, headers=STAFF)
    assert last.status_code == 200
    assert last.json()["cases"] == []


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
                "due_on": (uk_date(utc_now()) + timedelta(days=30)).isoformat(),
            },
            {
                "type": "service_improvement",
                "description": "Review how cancellations are told to patients.",
                "due_on": (uk_date(utc_now()) + timedelta(days=90)).isoformat(),
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
