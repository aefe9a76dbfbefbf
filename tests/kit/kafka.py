"""Kafka for tests: publish real events, start consumer groups at the end of the shared topics,
and read topics from the moment a test starts.

The topics are shared with every other test and session on the broker, so a test reads only what
happens after it starts: a fresh consumer group would otherwise replay everyone's history (the
services read new groups from the earliest offset), and a shared one would split partitions.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.envelope import CloudEvent, build_event, parse_record
from shared.events import Payload
from shared.topics import Topic


class Publisher:
    """A producer, as another service would publish: `async with Publisher(bootstrap) as p`."""

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
        """Publish `payload` as a new event from the service `source`; returns the event."""
        event = build_event(payload, source_service=source, subject=subject, ce_type=ce_type)
        await self.publish(topic, event)
        return event

    async def publish(self, topic: Topic, event: CloudEvent) -> None:
        """Publish an event as it is (to publish the same one twice, say)."""
        await self.producer.send_and_wait(
            topic.name, value=event.value(), key=event.key(), headers=event.headers()
        )


async def start_group_at_end(bootstrap: str, group_id: str, topic: Topic) -> None:
    """Commit the topic's current end offsets for `group_id`, so its first consumer starts there."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


async def groups_starting_now(bootstrap: str, service: str, consumers: Mapping[str, Topic]) -> str:
    """A fresh consumer-group prefix whose groups (`<prefix>-<service>-<consumer>`,
    shared/messaging.py) start at the current end of their topics."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    for consumer, topic in consumers.items():
        await start_group_at_end(bootstrap, f"{prefix}-{service}-{consumer}", topic)
    return prefix


class TopicWatcher:
    """Sees only what is published to a topic after it is entered:
    `async with TopicWatcher(bootstrap, topic) as watcher`."""

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
            await self.consumer.position(partition)  # resolve the end now, before the test acts
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def wait_for(
        self, predicate: Callable[[CloudEvent], bool], *, count: int = 1, within: float = 45.0
    ) -> list[CloudEvent]:
        """The events seen so far that match, once there are at least `count` of them."""

        async def gather() -> list[CloudEvent]:
            while True:
                matching = self.events_matching(predicate)
                if len(matching) >= count:
                    return matching
                await self._read(timeout_ms=300)

        try:
            return await asyncio.wait_for(gather(), within)
        except TimeoutError:
            raise AssertionError(
                f"no {count} matching events on {self.topic.name}; saw {self.events}"
            ) from None

    def events_matching(self, predicate: Callable[[CloudEvent], bool]) -> list[CloudEvent]:
        return [event for event in self.events if predicate(event)]

    async def settle(self, seconds: float) -> None:
        """Read whatever arrives in the next `seconds`."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            await self._read(timeout_ms=200)

    async def _read(self, timeout_ms: int) -> None:
        batch = await self.consumer.getmany(timeout_ms=timeout_ms)
        for records in batch.values():
            self.events.extend(parse_record(r.headers, r.value) for r in records)


@asynccontextmanager
async def read_topic(bootstrap: str, topic: Topic) -> AsyncIterator[AIOKafkaConsumer]:
    """A group-less consumer of `topic` from its earliest offsets."""
    consumer = AIOKafkaConsumer(
        topic.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def collect(consumer: AIOKafkaConsumer, count: int, within: float = 30.0) -> list[Any]:
    """At least `count` records, or a timeout after `within` seconds."""
    records: list[Any] = []

    async def gather() -> None:
        while len(records) < count:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                records.extend(messages)

    await asyncio.wait_for(gather(), within)
    return records


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def json_value(record: Any) -> Any:
    return json.loads(record.value)
