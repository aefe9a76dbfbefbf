"""Reading and replaying dead letters (the DLQ records shared/messaging.py writes: the original
record with x-original-topic/partition/offset, x-consumer, x-error and x-failed-at headers)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord

from redress_cli.config import BROKER_WAIT_SECONDS
from shared.kafka import wait_for_broker
from shared.topics import dlq

# The header a replayed record carries: where in which DLQ it came from. The consumer's inbox
# (same ce_id) makes a second replay of the same dead letter a no-op.
REPLAYED_FROM = "x-replayed-from"
# How long one fetch waits while reading a DLQ up to its end offsets.
FETCH_TIMEOUT_MS = 1000
# Empty fetches in a row after which `show` gives up on an offset (one removed by retention).
MAX_EMPTY_FETCHES = 10
# `list` gives up when nothing has arrived for this long while letters remain before the end
# offsets: the broker has stopped answering (a healthy one answers a fetch within a second).
READ_STALL_SECONDS = 30.0


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str:
        for header, value in self.headers:
            if header == name:
                return value.decode(errors="replace")
        return ""

    @property
    def service(self) -> str:
        return self.dlq_topic.split(".")[1]

    @property
    def event_type(self) -> str:
        return self.header("ce_type")

    @property
    def reason(self) -> str:
        return self.header("x-error")

    def replay_headers(self) -> list[tuple[str, bytes]]:
        """The original record's headers (without the DLQ's x- ones), plus where it came from."""
        kept = [(name, value) for name, value in self.headers if not name.startswith("x-")]
        origin = f"{self.dlq_topic}:{self.partition}:{self.offset}"
        return [*kept, (REPLAYED_FROM, origin.encode())]


@dataclass(frozen=True)
class Filters:
    event_type: str | None = None
    reason: str | None = None
    consumer: str | None = None

    def match(self, letter: DeadLetter) -> bool:
        if self.event_type and letter.event_type != self.event_type:
            return False
        if self.reason and self.reason.lower() not in letter.reason.lower():
            return False
        return not (self.consumer and letter.header("x-consumer") != self.consumer)


def _letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value or b"",
        tuple((name, bytes(value)) for name, value in record.headers or ()),
    )


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    """The partitions of those of `topics` that exist."""
    admin = await wait_for_broker(bootstrap, BROKER_WAIT_SECONDS)
    try:
        existing = set(await admin.list_topics())
        wanted = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(wanted) if wanted else []
    finally:
        await admin.close()
    return sorted(
        TopicPartition(str(entry["topic"]), int(partition["partition"]))
        for entry in described
        for partition in entry["partitions"]
    )


async def read_dead_letters(
    bootstrap: str, services: Sequence[str], filters: Filters = Filters()
) -> list[DeadLetter]:
    """Every dead letter of `services` that matches, from the start of each DLQ up to its end
    offsets when the read starts (a group-less consumer: nothing is committed)."""
    partitions = await _partitions(bootstrap, [dlq(service).name for service in services])
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        return await drain(consumer, end, filters, READ_STALL_SECONDS)
    finally:
        await consumer.stop()


class _Fetching(Protocol):
    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]: ...

    async def position(self, partition: TopicPartition) -> int: ...


async def drain(
    consumer: _Fetching, end: dict[TopicPartition, int], filters: Filters, stall_seconds: float
) -> list[DeadLetter]:
    """The matching letters before `end`; only those are kept, so a long DLQ is not held whole.
    Raises KafkaConnectionError (reported by the CLI in one line) once nothing has come for
    `stall_seconds` while letters remain."""
    letters: list[DeadLetter] = []
    pending = {tp for tp in end if await consumer.position(tp) < end[tp]}
    last_arrival = time.monotonic()
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=FETCH_TIMEOUT_MS)
        for tp, records in batch.items():
            read = (_letter(r) for r in records if r.offset < end[tp])
            letters.extend(letter for letter in read if filters.match(letter))
        if any(batch.values()):
            last_arrival = time.monotonic()
        elif time.monotonic() - last_arrival > stall_seconds:
            left = sum([end[tp] - await consumer.position(tp) for tp in pending])
            raise KafkaConnectionError(
                f"the broker stopped answering with {left} dead letters still to read"
            )
        pending = {tp for tp in pending if await consumer.position(tp) < end[tp]}
    return letters


async def find_dead_letter(
    bootstrap: str, service: str, partition: int, offset: int
) -> DeadLetter | None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tp = TopicPartition(dlq(service).name, partition)
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        if offset >= end:
            return None
        consumer.seek(tp, offset)
        for _ in range(MAX_EMPTY_FETCHES):
            batch = await consumer.getmany(tp, timeout_ms=FETCH_TIMEOUT_MS, max_records=1)
            for record in batch.get(tp, []):
                return _letter(record) if record.offset == offset else None
        return None
    finally:
        await consumer.stop()


async def replay(bootstrap: str, letters: Sequence[DeadLetter]) -> list[tuple[str, int, int]]:
    """Put each dead letter's original record back on its x-original-topic; returns where each
    landed (topic, partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        landed = []
        for letter in letters:
            topic = letter.header("x-original-topic")
            if not topic:
                raise ValueError(f"{letter.dlq_topic}:{letter.offset} has no x-original-topic")
            meta = await producer.send_and_wait(
                topic, letter.value, key=letter.key, headers=letter.replay_headers()
            )
            landed.append((topic, meta.partition, meta.offset))
        return landed
    finally:
        await producer.stop()
