"""Every consumer of every service, on the real broker: at least 100 generated bad records
(tests/integration/malformed/generator.py) each land in the service's DLQ with a reason, none is
applied, the service keeps running, and the good event sent after them is applied; well-formed
events of types it does not know are skipped, neither applied nor dead-lettered."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.envelope import CloudEvent
from shared.topics import Topic, dlq
from tests.integration.malformed.generator import (
    CASE_HEADER,
    BadRecord,
    bad_records,
    skipped_records,
)
from tests.integration.malformed.services import SERVICES_UNDER_TEST, ServiceUnderTest
from tests.kit.apps import running
from tests.kit.kafka import groups_starting_now
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

MINIMUM_BAD_RECORDS = 100
# Generous for a few hundred records on a shared 2-core machine; the test fails, not hangs.
DEAD_LETTERED_WITHIN_SECONDS = 120.0
# Large bad records (200 kB strings, 100,000-deep nesting) stay under the broker's 1 MB limit.
MAX_REQUEST_BYTES = 1_048_576


@pytest.mark.parametrize("service", SERVICES_UNDER_TEST, ids=lambda s: s.name)
async def test_every_bad_record_is_dead_lettered_and_the_next_good_one_applied(
    service: ServiceUnderTest, kafka_bootstrap: str, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    prefix = await groups_starting_now(kafka_bootstrap, service.name, service.groups())
    database = service.database_file(tmp_path)
    app = service.app(f"sqlite+aiosqlite:///{database}", kafka_bootstrap, prefix)
    plan = {c.name: (c, c.good_event()) for c in service.consumers}
    sent: dict[str, list[BadRecord]] = {name: bad_records(good) for name, (_, good) in plan.items()}
    skipped = {name: skipped_records(good) for name, (_, good) in plan.items()}
    for name, records in sent.items():
        assert len(records) >= MINIMUM_BAD_RECORDS, f"{name}: only {len(records)} bad records"
    start = await dlq_end(kafka_bootstrap, dlq(service.name))

    async with running(app) as client:
        for name, (consumer, good) in plan.items():
            await produce(kafka_bootstrap, consumer.topic, good, [*skipped[name], *sent[name]], run)
        for name, (_, good) in plan.items():
            await wait_until(applied(database, name, good.id), within=DEAD_LETTERED_WITHIN_SECONDS)
        dead = await read_dlq(kafka_bootstrap, dlq(service.name), start, run, sent)
        assert (await client.get("/healthz")).status_code == 200

    for name, (_, good) in plan.items():
        reasons = dead_letters_of(dead, f"{service.name}.{name}")
        expected = {record.case for record in sent[name]}
        missing = sorted(expected - set(reasons))
        assert not missing, f"{service.name}.{name}: not dead-lettered: {missing}"
        wrongly = sorted({r.case for r in skipped[name]} & set(reasons))
        assert not wrongly, f"{service.name}.{name}: dead-lettered new types: {wrongly}"
        unexplained = sorted(case for case, reason in reasons.items() if not reason.strip())
        assert not unexplained, f"{service.name}.{name}: dead-lettered without a reason"
        assert applied_ids(database, name) == [good.id], f"{service.name}.{name} applied a bad one"


async def produce(
    bootstrap: str, topic: Topic, good: CloudEvent, bad: Sequence[BadRecord], run: str
) -> None:
    """The bad records, then the good event, all on the good event's key: one partition, so the
    good one is consumed after every bad one."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=MAX_REQUEST_BYTES
    )
    await producer.start()
    try:
        for record in bad:
            await producer.send(
                topic.name, record.value, key=good.key(), headers=record.marked(run)
            )
        await producer.send_and_wait(
            topic.name, good.value(), key=good.key(), headers=good.headers()
        )
    finally:
        await producer.stop()


async def dlq_end(bootstrap: str, topic: Topic) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic.name, 0)
        return int((await consumer.end_offsets([partition]))[partition])
    finally:
        await consumer.stop()


async def read_dlq(
    bootstrap: str, topic: Topic, start: int, run: str, sent: dict[str, list[BadRecord]]
) -> list[ConsumerRecord[bytes, bytes]]:
    """This run's records on the DLQ since `start`, once every sent bad record is there (or the
    time is up: the assertions then say which are missing)."""
    expected = sum(len(records) for records in sent.values())
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    partition = TopicPartition(topic.name, 0)
    consumer.assign([partition])
    consumer.seek(partition, start)
    found: list[ConsumerRecord[bytes, bytes]] = []

    async def gather() -> None:
        # Only the planned consumers count: another consumer of the same topic (notifications'
        # webhooks reads the cases topic too) dead-letters the same records under its name.
        while len({_case(r) for r in found if _consumer_name(r) in sent}) < expected:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(r for r in batch if _case(r).startswith(f"{run}:"))

    try:
        await asyncio.wait_for(gather(), DEAD_LETTERED_WITHIN_SECONDS)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return found


def _consumer_name(record: ConsumerRecord[bytes, bytes]) -> str:
    """`cases` of the DLQ's `x-consumer: notifications.cases`."""
    return _case(record).rsplit("/", 1)[-1].split(".", 1)[-1]


def _case(record: ConsumerRecord[bytes, bytes]) -> str:
    headers: dict[str, bytes] = dict(record.headers)
    return f"{headers.get(CASE_HEADER, b'').decode()}/{headers.get('x-consumer', b'').decode()}"


def dead_letters_of(dead: list[ConsumerRecord[bytes, bytes]], consumer: str) -> dict[str, str]:
    """Defect name -> the DLQ's x-error, for one consumer's dead letters."""
    letters: dict[str, str] = {}
    for record in dead:
        headers = {n: v.decode(errors="replace") for n, v in record.headers}
        if headers.get("x-consumer") == consumer:
            letters[headers[CASE_HEADER].split(":", 1)[1]] = headers.get("x-error", "")
    return letters


def applied(database: Path, consumer: str, event_id: str) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return event_id in applied_ids(database, consumer)

    return probe


def applied_ids(database: Path, consumer: str) -> list[str]:
    """The events the consumer applied: their ids are in the inbox (shared/inbox.py)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT event_id FROM inbox WHERE consumer = ?", (consumer,)
        ).fetchall()
    return [str(row[0]) for row in rows]
