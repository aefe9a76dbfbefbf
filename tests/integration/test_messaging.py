"""docs/design.md §4's delivery guarantees, each proven on the real broker and both databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from shared.envelope import CloudEvent
from shared.outbox import add_to_outbox
from shared.topics import Topic
from tests.integration.messaging_kit import KitService
from tests.kit.kafka import collect, headers_of, json_value, read_topic
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration


def an_event(subject: str = "RDR-TEST-1", n: int = 0) -> CloudEvent:
    return CloudEvent(
        type="redress.test.happened", source="/redress/kit", subject=subject, data={"n": n}
    )


@pytest.fixture
async def kit(database_url: str, kafka_bootstrap: str) -> AsyncIterator[KitService]:
    service = KitService(database_url, kafka_bootstrap)
    await service.create_schema()
    yield service
    await service.close()


async def test_outbox_rows_are_published_in_order_as_cloudevents(
    kit: KitService, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    async with kit.db.transaction() as session:
        for n in range(5):
            await add_to_outbox(session, kit.messaging.outbox, topic, an_event(n=n))
    await kit.messaging.broker.start()

    published = await kit.messaging.relay.run_once()

    assert published == 5
    assert await kit.messaging.relay.pending() == 0
    async with read_topic(kafka_bootstrap, topic) as consumer:
        records = await collect(consumer, 5)
    assert [json_value(r)["n"] for r in records] == [0, 1, 2, 3, 4]
    headers = headers_of(records[0])
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "redress.test.happened"
    assert headers["ce_source"] == "/redress/kit"
    assert headers["ce_subject"] == "RDR-TEST-1"
    assert headers["content-type"] == "application/json"
    datetime.fromisoformat(headers["ce_time"].replace("Z", "+00:00"))
    assert records[0].key == b"RDR-TEST-1"


async def test_the_same_event_delivered_twice_has_one_effect(
    kit: KitService, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    kit.messaging.consume(topic, kit.record_effect, consumer="effects")
    event = an_event()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(
                topic.name, event.value(), key=event.key(), headers=event.headers()
            )
        await producer.send_and_wait(
            topic.name, an_event(n=1).value(), key=b"k", headers=an_event(n=1).headers()
        )
    finally:
        await producer.stop()

    await kit.messaging.broker.start()
    await wait_until(lambda: _effects_at_least(kit, 2))
    await asyncio.sleep(1.0)  # room for a wrong third effect to appear

    assert await kit.effect_count() == 2


async def _effects_at_least(kit: KitService, n: int) -> bool:
    return await kit.effect_count() >= n


async def test_a_malformed_message_goes_to_the_dlq_with_its_reason_and_the_consumer_goes_on(
    kit: KitService, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    kit.messaging.dlq_topic = await make_topic("dlq")
    kit.messaging.consume(topic, kit.record_effect, consumer="effects")
    good = an_event(subject="RDR-GOOD")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic.name, b"{not json", key=b"RDR-BAD", headers=an_event().headers()
        )
        await producer.send_and_wait(topic.name, b'{"n": 1}', key=b"RDR-NOHEADERS")
        await producer.send_and_wait(
            topic.name, good.value(), key=good.key(), headers=good.headers()
        )
    finally:
        await producer.stop()

    await kit.messaging.broker.start()
    await wait_until(lambda: _effects_at_least(kit, 1))

    async with read_topic(kafka_bootstrap, kit.messaging.dlq_topic) as consumer:
        dead = await collect(consumer, 2)
    reasons = [headers_of(r)["x-error"] for r in dead]
    assert "value is not JSON" in reasons[0]
    assert "missing CloudEvents headers" in reasons[1]
    assert dead[0].value == b"{not json"
    assert headers_of(dead[0])["x-original-topic"] == topic.name
    assert await kit.effect_count() == 1


async def test_a_message_that_keeps_failing_is_dead_lettered_after_its_attempts(
    kit: KitService, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    kit.messaging.dlq_topic = await make_topic("dlq")
    calls: list[str] = []

    async def flaky(session: Any, event: CloudEvent) -> None:
        calls.append(event.subject)
        if event.subject == "RDR-POISON":
            raise RuntimeError("downstream exploded")
        await kit.record_effect(session, event)

    kit.messaging.consume(topic, flaky, consumer="effects")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for subject in ("RDR-POISON", "RDR-FINE"):
            event = an_event(subject=subject)
            await producer.send_and_wait(
                topic.name, event.value(), key=event.key(), headers=event.headers()
            )
    finally:
        await producer.stop()

    await kit.messaging.broker.start()
    await wait_until(lambda: _effects_at_least(kit, 1))

    async with read_topic(kafka_bootstrap, kit.messaging.dlq_topic) as consumer:
        [dead] = await collect(consumer, 1)
    assert "failed 2 times" in headers_of(dead)["x-error"]
    assert calls.count("RDR-POISON") == 2
    # The failed attempts left no partial effect and no inbox record behind.
    async with kit.db.sessions() as session:
        subjects = list(await session.scalars(select(kit.effects.c.subject)))
    assert subjects == ["RDR-FINE"]


KILLED_WRITER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from tests.integration.messaging_kit import KitService
    from shared.envelope import CloudEvent
    from shared.outbox import add_to_outbox
    from shared.topics import Topic

    async def main():
        kit = KitService(sys.argv[1], sys.argv[2])
        await kit.create_schema()
        async with kit.db.transaction() as session:
            state = CloudEvent(type="t", source="s", subject="state", data={})
            await kit.record_effect(session, state)
            for n in range(3):
                event = CloudEvent(
                    type="redress.test.happened",
                    source="/redress/kit",
                    subject="RDR-K",
                    data={"n": n},
                )
                await add_to_outbox(session, kit.messaging.outbox, Topic(sys.argv[3], 1), event)
        os.kill(os.getpid(), signal.SIGKILL)  # dies after the commit, before any relay runs

    asyncio.run(main())
    """
)


async def test_a_service_killed_after_writing_its_outbox_publishes_after_restart_without_doubles(
    database_url: str, kafka_bootstrap: str, make_topic: Callable[..., Any]
) -> None:
    topic: Topic = await make_topic()
    killed = subprocess.run(  # noqa: ASYNC221 - the child must die while we wait
        [sys.executable, "-c", KILLED_WRITER, database_url, kafka_bootstrap, topic.name],
        env=os.environ | {"PYTHONPATH": os.getcwd()},
        check=False,
        timeout=60,
    )
    assert killed.returncode == -9

    restarted = KitService(database_url, kafka_bootstrap)
    try:
        assert await restarted.effect_count() == 1
        assert await restarted.messaging.relay.pending() == 3
        await restarted.messaging.broker.start()
        assert await restarted.messaging.relay.run_once() == 3
        assert await restarted.messaging.relay.run_once() == 0
    finally:
        await restarted.close()

    async with read_topic(kafka_bootstrap, topic) as consumer:
        records = await collect(consumer, 3)
        extra = await consumer.getmany(timeout_ms=1500)
    assert [json_value(r)["n"] for r in records] == [0, 1, 2]
    assert not any(extra.values())


async def test_a_relay_that_dies_after_publishing_republishes_and_the_inbox_keeps_one_effect(
    kit: KitService, database_url: str, kafka_bootstrap: str, make_topic: Callable[..., Any]
) -> None:
    topic: Topic = await make_topic()
    async with kit.db.transaction() as session:
        await add_to_outbox(session, kit.messaging.outbox, topic, an_event(subject="RDR-TWICE"))
    await kit.messaging.broker.start()
    # Publish without marking: what a crash between the two steps leaves behind.
    async with kit.db.sessions() as session:
        rows = await kit.messaging.relay._unpublished(session)
    await kit.messaging.relay._publish_rows(rows)
    assert await kit.messaging.relay.run_once() == 1  # the restarted relay sends it again

    consumer_side = KitService(database_url, kafka_bootstrap, service="kit-consumer")
    consumer_side.messaging.consume(topic, consumer_side.record_effect, consumer="effects")
    try:
        await consumer_side.messaging.broker.start()
        await wait_until(lambda: _effects_at_least(consumer_side, 1))
        await asyncio.sleep(1.5)
        assert await consumer_side.effect_count() == 1
    finally:
        await consumer_side.close()
    async with read_topic(kafka_bootstrap, topic) as consumer:
        assert len(await collect(consumer, 2)) == 2


async def test_published_rows_are_deleted_after_retention(
    kit: KitService, make_topic: Callable[..., Any]
) -> None:
    topic: Topic = await make_topic()
    async with kit.db.transaction() as session:
        await add_to_outbox(session, kit.messaging.outbox, topic, an_event())
    await kit.messaging.broker.start()
    await kit.messaging.relay.run_once()

    assert await kit.messaging.relay.delete_published_before(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert await kit.messaging.relay.delete_published_before(datetime.now(UTC)) == 1
