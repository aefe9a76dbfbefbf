"""Helpers for the reports and feedback integration tests: run a service in process, publish
real events to the shared topics, and watch topics from the moment a test starts."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from shared.auth import Role, issue_staff_token
from shared.envelope import CloudEvent, build_event, parse_record
from shared.events import Payload
from shared.settings import DEVELOPMENT_AUTH_SECRET
from shared.topics import (
    CASEWORK_CASES,
    FEEDBACK_RESPONSES,
    NOTIFICATION_DELIVERIES,
    Topic,
)

# Each service's consumers (`Messaging.consume(..., consumer=...)`) and the topic each reads.
REPORTS_CONSUMERS: dict[str, Topic] = {
    "cases": CASEWORK_CASES,
    "deliveries": NOTIFICATION_DELIVERIES,
    "feedback": FEEDBACK_RESPONSES,
}
FEEDBACK_CONSUMERS: dict[str, Topic] = {"closures": CASEWORK_CASES}


@dataclass
class Clock:
    """A clock a test moves by hand; services take it as `create_app(..., clock=clock)`."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


def staff_headers(role: Role = Role.MANAGER) -> dict[str, str]:
    token = issue_staff_token(DEVELOPMENT_AUTH_SECRET, sub="t1", name="Test Manager", role=role)
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (database migrated, Kafka connected, jobs running) and a client for it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app that is not started: its routes only read the database."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def groups_starting_now(bootstrap: str, service: str, consumers: Mapping[str, Topic]) -> str:
    """A fresh consumer-group prefix whose groups (`<prefix>-<service>-<consumer>`) start at the
    current end of their topics. The topics are shared with every other test and session, so a
    shared group can lag far behind, and a new group would otherwise replay everything from the
    start (the services read new groups from the earliest offset)."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    for consumer, topic in consumers.items():
        group = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=f"{prefix}-{service}-{consumer}",
            enable_auto_commit=False,
        )
        await group.start()
        try:
            partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
            group.assign(partitions)
            ends = await group.end_offsets(partitions)
            await group.commit(dict(ends))
        finally:
            await group.stop()
    return prefix


class Publisher:
    def __init__(self, bootstrap: str) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")

    async def __aenter__(self) -> Publisher:
        await self.producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.producer.stop()

    async def send(
        self,
        topic: Topic,
        payload: Payload,
        *,
        subject: str,
        source: str,
        ce_type: str | None = None,
    ) -> CloudEvent:
        event = build_event(payload, source_service=source, subject=subject, ce_type=ce_type)
        await self.send_event(topic, event)
        return event

    async def send_event(self, topic: Topic, event: CloudEvent) -> None:
        await self.producer.send_and_wait(
            topic.name, value=event.value(), key=event.key(), headers=event.headers()
        )


class TopicWatcher:
    """Sees only what is published to a topic after `start()`."""

    def __init__(self, bootstrap: str, topic: Topic) -> None:
        self.topic = topic
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.events: list[CloudEvent] = []

    async def __aenter__(self) -> TopicWatcher:
        await self.consumer.start()
        partitions = [TopicPartition(self.topic.name, p) for p in range(self.topic.partitions)]
        self.consumer.assign(partitions)
        await self.consumer.seek_to_end(*partitions)
        for partition in partitions:
            await self.consumer.position(partition)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def wait_for(
        self, predicate: Callable[[CloudEvent], bool], *, count: int = 1, within: float = 45.0
    ) -> list[CloudEvent]:
        async def gather() -> list[CloudEvent]:
            while True:
                matching = [event for event in self.events if predicate(event)]
                if len(matching) >= count:
                    return matching
                batch = await self.consumer.getmany(timeout_ms=300)
                for records in batch.values():
                    self.events.extend(parse_record(r.headers, r.value) for r in records)

        return await asyncio.wait_for(gather(), within)

    def events_matching(self, predicate: Callable[[CloudEvent], bool]) -> list[CloudEvent]:
        return [event for event in self.events if predicate(event)]

    async def settle(self, seconds: float) -> None:
        """Read whatever arrives in the next `seconds`."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            batch = await self.consumer.getmany(timeout_ms=200)
            for records in batch.values():
                self.events.extend(parse_record(r.headers, r.value) for r in records)


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 60.0) -> Any:
    """Retry `check` (which raises AssertionError until it holds) until it passes."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            return await check()
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.3)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=str)
