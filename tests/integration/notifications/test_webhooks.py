"""Webhooks against a real local receiver on a free port that verifies every signature with
`standardwebhooks.Webhook.verify`, refuses some deliveries (500) and goes down for a while.

Other sessions publish case events on the same broker, so an endpoint subscribed to a type also
gets theirs: every check looks at this test's own references only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from prometheus_client import REGISTRY
from standardwebhooks import Webhook, WebhookVerificationError

from services.notifications.app import create_app
from services.notifications.webhooks.settings import WebhookSettings
from shared.auth import Role
from shared.events import CaseAssigned, Stage, StageChanged
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    ORGANISATION,
    FakeClock,
    RunningNotifications,
    case_opened,
    complaint_received,
    event_of,
)
from tests.kit.apps import free_port, serve_on_port
from tests.kit.kafka import Publisher
from tests.kit.waiting import wait_until

WAIT_SECONDS = 30.0
OPENED = "redress.case.opened"
ASSIGNED = "redress.case.assigned"
STAGE_CHANGED = "redress.case.stage_changed"
DISABLED = "redress.webhook.disabled"
COMPLAINANT_NAME = "Alex Example"
COMPLAINANT_EMAIL = "complainant@example.org"
# Retries in fractions of a second: the schedule's shape is unit-tested, not timed here.
# The delivery query runs on both databases in the first test; the rest are about the service's
# own logic, so they run on SQLite only (the suite's time budget).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
FAST = {"backoff_base_seconds": 0.02, "backoff_cap_seconds": 0.1, "poll_interval_seconds": 0.05}


@dataclass
class Attempt:
    webhook_id: str
    body: dict[str, Any]
    answered: int


@dataclass
class Receiver:
    """Verifies each request's signature; answers 500 to the ids in `refuse_once` the first
    time, and to everything while `refuse_all` is set."""

    secret: str = ""
    refuse_all: bool = False
    refuse_once: set[str] = field(default_factory=set)
    attempts: list[Attempt] = field(default_factory=list)
    bad_signatures: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            raw = await request.body()
            try:
                body = Webhook(self.secret).verify(raw, dict(request.headers))
            except WebhookVerificationError:
                self.bad_signatures += 1
                return Response(status_code=400)
            webhook_id = request.headers["webhook-id"]
            answer = 200
            if self.refuse_all or webhook_id in self.refuse_once:
                self.refuse_once.discard(webhook_id)
                answer = 500
            self.attempts.append(Attempt(webhook_id, body, answer))
            return Response(status_code=answer)

        return app

    def accepted(self, references: set[str]) -> list[Attempt]:
        return [a for a in self.of(references) if a.answered == 200]

    def of(self, references: set[str]) -> list[Attempt]:
        return [a for a in self.attempts if a.body.get("data", {}).get("reference") in references]


@asynccontextmanager
async def listening(receiver: Receiver, port: int) -> AsyncIterator[str]:
    async with serve_on_port(receiver.app(), port) as url:
        yield f"{url}/hook"


@asynccontextmanager
async def notifications(
    make_settings: MakeSettings, **webhooks: Any
) -> AsyncIterator[RunningNotifications]:
    settings = make_settings()
    clock = FakeClock()
    app = create_app(settings, clock=clock, webhook_settings=WebhookSettings(**FAST, **webhooks))
    async with (
        app.router.lifespan_context(app),
        serve_on_port(app, settings.http_port) as url,
        httpx.AsyncClient(base_url=url, timeout=10.0) as http,
    ):
        yield RunningNotifications(app=app, url=url, settings=settings, clock=clock, http=http)


async def register(
    service: RunningNotifications, url: str, event_types: list[str]
) -> tuple[str, str]:
    response = await service.http.post(
        "/v1/webhooks",
        json={"url": url, "event_types": event_types, "description": "integrator"},
        headers=service.staff_headers(Role.ADMIN),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    return str(created["id"]), str(created["secret"])


async def deliveries(service: RunningNotifications, endpoint_id: str) -> list[dict[str, Any]]:
    response = await service.http.get(
        f"/v1/webhooks/{endpoint_id}/deliveries", headers=service.staff_headers(Role.MANAGER)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def assigned(reference: str) -> Any:
    now = datetime.now(UTC)
    payload = CaseAssigned(
        reference=reference,
        occurred_at=now,
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        caseworker_id="cw-1",
        caseworker_name="Sam Patel",
    )
    return event_of(payload, "casework", reference)


def stage_changed(reference: str) -> Any:
    payload = StageChanged(
        reference=reference,
        occurred_at=datetime.now(UTC),
        organisation=ORGANISATION,
        stage=Stage.INVESTIGATION,
        from_stage=Stage.ASSESSMENT,
        to_stage=Stage.INVESTIGATION,
    )
    return event_of(payload, "casework", reference)


async def all_finished(
    service: RunningNotifications, endpoint_id: str, ids: set[str], done: Callable[[str], bool]
) -> None:
    async def met() -> bool:
        rows = [r for r in await deliveries(service, endpoint_id) if r["webhook_id"] in ids]
        return len(rows) >= len(ids) and all(done(r["status"]) for r in rows)

    await wait_until(met, WAIT_SECONDS)


async def test_each_event_is_delivered_once_in_order_per_case_through_refusals_and_an_outage(
    make_settings: MakeSettings, publisher: Publisher
) -> None:
    receiver = Receiver()
    port = free_port()
    references = sorted(f"WH-{uuid.uuid4().hex[:10]}" for _ in range(3))
    quick = {"max_attempts": 10_000, "disable_after_failures": 10_000}
    delivered_before = counted("redress_webhook_attempts_total", outcome="delivered")
    retrying_before = counted("redress_webhook_attempts_total", outcome="retrying")
    async with notifications(make_settings, **quick) as service:
        endpoint_id, receiver.secret = await register(
            service, f"http://127.0.0.1:{port}/hook", [OPENED, ASSIGNED]
        )
        sent: dict[str, list[str]] = {reference: [] for reference in references}
        async with listening(receiver, port):
            for reference in references:
                # Personal data on the private topic: it must never reach a webhook.
                await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
                opened = case_opened(reference)
                receiver.refuse_once.add(opened.id)  # the case's next event must wait for it
                later = assigned(reference)
                await publisher.publish(CASEWORK_CASES, opened)
                await publisher.publish(CASEWORK_CASES, stage_changed(reference))  # filtered out
                await publisher.publish(CASEWORK_CASES, later)
                sent[reference] += [opened.id, later.id]
            await wait_until(partial(accepted_count, receiver, references, 6), WAIT_SECONDS)
        # Down: connections refused while more events arrive and are retried.
        during = {}
        for reference in references:
            during[reference] = assigned(reference)
            await publisher.publish(CASEWORK_CASES, during[reference])
            sent[reference].append(during[reference].id)
        down_ids = {event.id for event in during.values()}

        async def tried_while_down() -> bool:
            rows = [
                r for r in await deliveries(service, endpoint_id) if r["webhook_id"] in down_ids
            ]
            return len(rows) == len(down_ids) and all(
                r["last_error"] is not None and r["status"] == "sending" for r in rows
            )

        await wait_until(tried_while_down, WAIT_SECONDS)
        ids = {event_id for ids in sent.values() for event_id in ids}
        async with listening(receiver, port):
            await all_finished(service, endpoint_id, ids, lambda status: status == "delivered")
        log = [r for r in await deliveries(service, endpoint_id) if r["webhook_id"] in ids]

    assert receiver.bad_signatures == 0
    accepted = receiver.accepted(set(references))
    assert sorted(a.webhook_id for a in accepted) == sorted(ids), "each event once, none twice"
    for reference, order in sent.items():
        tried = [a.webhook_id for a in receiver.of({reference})]
        # The refused first event is tried again before the next is even tried.
        assert tried == [order[0], *order], f"{reference}: {tried} for {order}"
    assert {a.body["type"] for a in receiver.of(set(references))} == {OPENED, ASSIGNED}
    assert all(r["status"] == "delivered" for r in log)
    assert len(log) == len(ids)
    assert all(r["attempts"] > 1 for r in log if r["webhook_id"] in down_ids)
    # The metrics count the same attempts (other endpoints on the broker may add to them).
    assert counted("redress_webhook_attempts_total", outcome="delivered") >= (
        delivered_before + len(ids)
    )
    assert counted("redress_webhook_attempts_total", outcome="retrying") >= (
        retrying_before + len(references) + len(down_ids)
    )
    everything = json.dumps([a.body for a in receiver.attempts])
    assert COMPLAINANT_NAME not in everything
    assert COMPLAINANT_EMAIL not in everything


def counted(name: str, **labels: str) -> float:
    """A counter's value in this process (the service under test runs in it)."""
    return REGISTRY.get_sample_value(name, {"service": "notifications", **labels}) or 0.0


async def accepted_count(receiver: Receiver, references: list[str], count: int) -> bool:
    return len(receiver.accepted(set(references))) >= count


@SQLITE_ONLY
async def test_a_failing_endpoint_is_disabled_told_so_and_replay_brings_it_back(
    make_settings: MakeSettings, publisher: Publisher
) -> None:
    receiver = Receiver(refuse_all=True)
    port = free_port()
    reference = f"WH-{uuid.uuid4().hex[:10]}"
    disabled_before = counted("redress_webhook_endpoints_disabled_total")
    async with (
        notifications(make_settings, max_attempts=1, disable_after_failures=3) as service,
        listening(receiver, port),
    ):
        endpoint_id, receiver.secret = await register(
            service, f"http://127.0.0.1:{port}/hook", [OPENED, ASSIGNED]
        )
        first = case_opened(reference)
        events = [first, assigned(reference), assigned(reference)]
        for event in events:
            await publisher.publish(CASEWORK_CASES, event)

        async def disabled() -> bool:
            listed = (
                await service.http.get("/v1/webhooks", headers=service.staff_headers(Role.ADMIN))
            ).json()
            return listed[0]["enabled"] is False and any(
                a.body["type"] == DISABLED for a in receiver.attempts
            )

        await wait_until(disabled, WAIT_SECONDS)
        assert counted("redress_webhook_endpoints_disabled_total") == disabled_before + 1
        notice = next(a for a in receiver.attempts if a.body["type"] == DISABLED)
        assert notice.body["data"]["endpoint_id"] == endpoint_id
        original = next(
            r for r in await deliveries(service, endpoint_id) if r["webhook_id"] == first.id
        )
        assert original["status"] == "failed"
        assert original["attempts"] == 1

        receiver.refuse_all = False
        response = await service.http.post(
            f"/v1/webhooks/{endpoint_id}/deliveries/{original['id']}/replay",
            headers=service.staff_headers(Role.ADMIN),
        )
        assert response.status_code == 202, response.text
        replay_id = response.json()["id"]

        async def replayed() -> bool:
            rows = await deliveries(service, endpoint_id)
            mine = [r for r in rows if r["reference"] == reference]
            return all(r["status"] in ("delivered", "failed") for r in mine) and any(
                r["id"] == replay_id and r["status"] == "delivered" for r in mine
            )

        await wait_until(replayed, WAIT_SECONDS)
        log = {r["id"]: r for r in await deliveries(service, endpoint_id)}
        listed = (
            await service.http.get("/v1/webhooks", headers=service.staff_headers(Role.ADMIN))
        ).json()

    assert receiver.bad_signatures == 0
    assert log[replay_id]["status"] == "delivered"
    assert log[replay_id]["replay_of"] == original["id"]
    assert log[original["id"]]["status"] == "failed", "a final status never changes"
    assert listed[0]["enabled"] is True
    assert listed[0]["consecutive_failures"] == 0
    assert [a.webhook_id for a in receiver.accepted({reference})].count(first.id) == 1


@SQLITE_ONLY
async def test_the_admin_api_answers_201_422_404_and_keeps_the_secret_to_itself(
    make_settings: MakeSettings,
) -> None:
    async with notifications(make_settings) as service:
        admin = service.staff_headers(Role.ADMIN)
        good = {"url": "https://hooks.example/redress", "event_types": [OPENED]}
        created = await service.http.post("/v1/webhooks", json=good, headers=admin)
        bad_url = await service.http.post(
            "/v1/webhooks", json=good | {"url": "http://hooks.example/"}, headers=admin
        )
        private = await service.http.post(
            "/v1/webhooks",
            json=good | {"event_types": ["redress.complaint.received"]},
            headers=admin,
        )
        caseworker = await service.http.post(
            "/v1/webhooks", json=good, headers=service.staff_headers(Role.CASEWORKER)
        )
        listed = await service.http.get("/v1/webhooks", headers=admin)
        missing = await service.http.get(f"/v1/webhooks/{uuid.uuid4()}/deliveries", headers=admin)
        endpoint_id = created.json()["id"]
        deleted = await service.http.delete(f"/v1/webhooks/{endpoint_id}", headers=admin)
        again = await service.http.delete(f"/v1/webhooks/{endpoint_id}", headers=admin)
        after = await service.http.get("/v1/webhooks", headers=admin)

    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert bad_url.status_code == 422
    assert bad_url.json()["fields"][0]["field"] == "url"
    assert private.status_code == 422
    assert private.json()["fields"][0]["field"] == "event_types"
    assert caseworker.status_code == 403
    assert [e["id"] for e in listed.json()] == [endpoint_id]
    assert created.json()["secret"] not in listed.text
    assert "secret" not in listed.json()[0]
    assert missing.status_code == 404
    assert (deleted.status_code, again.status_code) == (204, 404)
    assert after.json() == []
