"""Intake on the real broker and both databases: safe submission, never lost, never doubled."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.intake.store import complaints, outbox
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.intake.topic_reading import first_event, reading_from_now
from tests.kit.apps import count_rows, running, staff_headers
from tests.unit.intake.hostile_requests import (
    HOSTILE_REQUESTS,
    INERT_BUT_NASTY,
    TODAY,
    valid_complaint,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def intake(
    database_url: str, kafka_bootstrap: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    settings = IntakeSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
        smtp_listen_port=0,  # no email listener: these tests are about the HTTP API
    )
    app = create_app(settings, clock=lambda: datetime.combine(TODAY, time(10, 0), tzinfo=UTC))
    async with running(app) as client:
        yield client, app


def _unique_complaint() -> dict[str, Any]:
    body = valid_complaint()
    body["complainant"]["email"] = f"jo.{uuid.uuid4().hex[:8]}@example.com"
    body["organisation"]["name"] = f"Trust {uuid.uuid4().hex[:8]}"
    return body


async def test_every_hostile_request_is_a_4xx_naming_the_field_and_nothing_is_stored(
    intake: tuple[httpx.AsyncClient, Any],
) -> None:
    client, app = intake
    assert len(HOSTILE_REQUESTS) >= 50
    for label, body in HOSTILE_REQUESTS:
        content = body if isinstance(body, str) else json.dumps(body)
        response = await client.post(
            "/v1/complaints", content=content, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (label, response.status_code)
        answer = response.json()
        field = label.split(":", 1)[0]
        named = [f["field"] for f in answer.get("fields", [])]
        assert (
            any(n == field or n.startswith(field) or field == "body" for n in named)
            or response.status_code == 413
        ), (
            label,
            named,
        )
    assert await count_rows(app, complaints) == 0
    assert await count_rows(app, outbox) == 0


HUGE_INTEGER = "9" * 5000  # past Python's 4,300-digit limit for int()


@pytest.mark.parametrize("path", ["/v1/complaints", "/v1/eligibility", "/v1/staff/complaints"])
async def test_an_integer_past_pythons_digit_limit_is_a_400_naming_the_body(
    intake: tuple[httpx.AsyncClient, Any], path: str
) -> None:
    client, app = intake
    content = json.dumps(_unique_complaint()).replace('"web"', HUGE_INTEGER, 1)
    headers = {"content-type": "application/json", **staff_headers()}
    response = await client.post(path, content=content, headers=headers)
    assert response.status_code == 400, response.text
    assert [f["field"] for f in response.json()["fields"]] == ["body"]
    assert await count_rows(app, complaints) == 0


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
@pytest.mark.parametrize("path", ["/v1/complaints", "/v1/eligibility"])
async def test_json_not_sent_as_json_is_a_415_and_nothing_is_stored(
    intake: tuple[httpx.AsyncClient, Any], path: str, content_type: str | None
) -> None:
    # The "simple" requests a third-party page can make a browser send with no CORS preflight.
    client, app = intake
    headers = {} if content_type is None else {"content-type": content_type}
    request = client.build_request(
        "POST", path, content=json.dumps(_unique_complaint()), headers=headers
    )
    assert request.headers.get("content-type") == content_type
    response = await client.send(request)
    assert response.status_code == 415, response.text
    assert [f["field"] for f in response.json()["fields"]] == ["Content-Type"]
    assert await count_rows(app, complaints) == 0
    charset = await client.post(
        path,
        content=json.dumps(_unique_complaint()),
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert charset.status_code not in {415, 500}, charset.text


@pytest.mark.parametrize("path", ["/v1/complaints", "/v1/eligibility"])
async def test_a_chunked_body_over_the_limit_is_a_413(
    intake: tuple[httpx.AsyncClient, Any], path: str
) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"summary": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    client, app = intake
    response = await client.post(
        path, content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert await count_rows(app, complaints) == 0


async def test_nasty_looking_but_valid_text_is_stored_verbatim(
    intake: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = intake
    for label, _field, body in INERT_BUT_NASTY[:10]:
        body["complainant"]["email"] = f"n.{uuid.uuid4().hex[:8]}@example.com"
        response = await client.post("/v1/complaints", json=body)
        assert response.status_code == 201, (label, response.text)


async def test_an_idempotency_key_replay_returns_the_first_answer_without_a_second_complaint(
    intake: tuple[httpx.AsyncClient, Any],
) -> None:
    client, app = intake
    body = _unique_complaint()
    key = str(uuid.uuid4())
    first = await client.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    again = await client.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await count_rows(app, complaints) == 1

    different = _unique_complaint()
    clash = await client.post("/v1/complaints", json=different, headers={"Idempotency-Key": key})
    assert clash.status_code == 422
    assert clash.json()["fields"][0]["field"] == "Idempotency-Key"


async def test_a_likely_resubmission_is_linked_not_doubled(
    intake: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, _ = intake
    body = _unique_complaint()
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        first = (await client.post("/v1/complaints", json=body)).json()["reference"]
        body["summary"] = body["summary"] + " Again."
        second = (await client.post("/v1/complaints", json=body)).json()["reference"]
        assert first != second
        _, data = await first_event(topic, lambda data: data["reference"] == second)
    assert data["duplicate_of"] == first


async def test_a_complaint_is_published_on_the_internal_topic_as_a_cloudevent(
    intake: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, _ = intake
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        accepted = (await client.post("/v1/complaints", json=_unique_complaint())).json()
        headers, data = await first_event(
            topic, lambda data: data["reference"] == accepted["reference"]
        )
    assert headers["ce_subject"] == accepted["reference"]
    assert headers["ce_type"] == "redress.complaint.received"
    assert headers["ce_source"] == "/redress/intake"
    assert data["tracking_token"] == accepted["tracking_token"]
    assert data["complainant"]["phone"] == "+447911123456"


async def test_the_form_shows_errors_and_then_a_confirmation(
    intake: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = intake
    page = await client.get("/")
    assert page.status_code == 200
    assert "<form" in page.text
    bad = await client.post("/complaint", data={"complainant.name": ""})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text

    eligibility = await client.post(
        "/v1/eligibility",
        json={"sector": "parliamentary", "first_aware_on": "2025-12-01", "mp_referral": False},
    )
    assert eligibility.status_code == 200
    assert eligibility.json()["eligible"] is False
    assert eligibility.json()["needs_mp_referral"] is True
