"""`redress topics`, `lag` and `dlq` against the real test broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions
from sqlalchemy.ext.asyncio import AsyncSession

from redress_cli.topics import registry
from shared.envelope import CloudEvent
from shared.messaging import PermanentEventError
from shared.topics import INTAKE_COMPLAINTS, Topic
from tests.integration.cli.cli_kit import redress, text
from tests.integration.messaging_kit import KitService
from tests.kit.kafka import collect, headers_of, read_topic
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await client.start()
    yield client
    await client.close()


async def test_topics_check_passes_once_created_and_fails_on_drift(
    admin: AIOKafkaAdminClient,
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}."
    names = [topic.name for topic in registry(prefix)]
    try:
        missing = await redress("topics", "check", "--prefix", prefix)
        assert missing.exit_code == 1, text(missing)
        assert "missing" in text(missing)

        created = await redress("topics", "create", "--prefix", prefix)
        assert created.exit_code == 0, text(created)
        assert f"{len(names)} created" in text(created)

        async def check_passes() -> bool:
            return (await redress("topics", "check", "--prefix", prefix)).exit_code == 0

        await wait_until(check_passes)

        drifted = prefix + INTAKE_COMPLAINTS.name
        await admin.create_partitions({drifted: NewPartitions(INTAKE_COMPLAINTS.partitions + 1)})

        async def check_sees_drift() -> bool:
            result = await redress("topics", "check", "--prefix", prefix)
            return result.exit_code == 1 and "drift" in text(result)

        await wait_until(check_sees_drift)
        refused = await redress("topics", "create", "--prefix", prefix)
        assert refused.exit_code == 1
        assert f"{drifted} has 4 partitions" in text(refused)
        described = await redress("topics", "describe", "--topic", drifted)
        assert described.exit_code == 0, text(described)
        rows = [line for line in text(described).splitlines() if drifted in line]
        assert len(rows) == INTAKE_COMPLAINTS.partitions + 1
    finally:
        await admin.delete_topics(names)


async def test_lag_shows_a_groups_committed_and_end_offsets(
    make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(topic.name, f"{n}".encode(), partition=0)
    finally:
        await producer.stop()
    group = f"test-{uuid.uuid4().hex[:8]}-kit-lag"
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic.name, 0)])
        await consumer.commit({TopicPartition(topic.name, 0): 2})
    finally:
        await consumer.stop()

    result = await redress("lag", "--group", group)

    assert result.exit_code == 0, text(result)
    [row] = [line for line in text(result).splitlines() if group in line]
    cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
    assert cells == [group, topic.name, "0", "2", "5", "3"]
    assert "total lag: 3" in text(result)


class PoisonedKit(KitService):
    """A real consumer that rejects events until told the cause is fixed."""

    poisoned = True

    async def handle(self, session: AsyncSession, event: CloudEvent) -> None:
        if self.poisoned:
            raise PermanentEventError("the case reference is unknown")
        await self.record_effect(session, event)


@pytest.fixture
async def kit(tmp_path: Path, kafka_bootstrap: str) -> AsyncIterator[PoisonedKit]:
    # Named intake, so its dead letters go to intake's real DLQ, as the service's would.
    service = PoisonedKit(f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}", kafka_bootstrap, "intake")
    await service.create_schema()
    yield service
    await service.close()


async def test_a_dead_letter_is_listed_shown_and_replayed_onto_its_topic(
    kit: PoisonedKit, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    topic: Topic = await make_topic()
    consumer_name = f"cli{uuid.uuid4().hex[:8]}"
    consumer = f"intake.{consumer_name}"
    kit.messaging.consume(topic, kit.handle, consumer=consumer_name)
    event = CloudEvent(
        type="redress.test.happened", source="/redress/kit", subject="RDR-CLI-1", data={"n": 1}
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic.name, event.value(), key=event.key(), headers=event.headers()
        )
    finally:
        await producer.stop()
    await kit.messaging.broker.start()

    async def listed() -> bool:
        result = await redress("dlq", "list", "--service", "intake", "--consumer", consumer)
        return consumer in text(result)

    await wait_until(listed)
    listing = await redress(
        "dlq", "list", "--service", "intake", "--consumer", consumer, "--reason", "unknown"
    )
    assert listing.exit_code == 0, text(listing)
    [row] = [line for line in text(listing).splitlines() if consumer in line]
    cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
    assert cells[0] == "intake"
    assert cells[3] == f"{topic.name}[0]@0"
    assert cells[4] == "redress.test.happened"
    assert "the case reference is unknown" in cells[7]
    other = await redress("dlq", "list", "--consumer", consumer, "--type", "redress.other")
    assert consumer not in text(other)

    partition, offset = cells[1], cells[2]
    shown = await redress("dlq", "show", "intake", partition, offset)
    assert shown.exit_code == 0, text(shown)
    assert "x-original-topic" in text(shown)
    assert '"n"' not in text(shown)
    with_payload = await redress("dlq", "show", "intake", partition, offset, "--payload")
    assert '"n": 1' in text(with_payload)

    kit.poisoned = False  # the cause is fixed; now the replay can apply
    replayed = await redress("dlq", "replay", "intake", "--all", "--consumer", consumer)
    assert replayed.exit_code == 0, text(replayed)
    assert "1 replayed" in text(replayed)
    async with read_topic(kafka_bootstrap, topic) as reader:
        original, again = await collect(reader, 2)
    assert again.value == original.value
    assert again.key == original.key
    headers = headers_of(again)
    assert headers["ce_id"] == event.id
    assert headers["x-replayed-from"] == f"redress.intake.dlq.v1:{partition}:{offset}"
    assert not {name for name in headers if name.startswith("x-")} - {"x-replayed-from"}

    async def applied() -> bool:
        return await kit.effect_count() == 1

    await wait_until(applied)
    # A second replay of the same dead letter reaches the consumer's inbox and changes nothing.
    twice = await redress("dlq", "replay", "intake", partition, offset)
    assert twice.exit_code == 0, text(twice)
    group = f"{kit.settings.consumer_group_prefix}-intake-{consumer_name}"

    async def consumed_all() -> bool:
        result = await redress("lag", "--group", group)
        return (
            "total lag: 0" in text(result) and topic.name in text(result) and "│ 3 " in text(result)
        )

    await wait_until(consumed_all)
    assert await kit.effect_count() == 1


async def test_a_broker_that_does_not_answer_is_a_short_error_not_a_traceback() -> None:
    result = await redress("lag", "--bootstrap", "127.0.0.1:1")
    assert result.exit_code == 1
    assert "did not answer" in text(result)
    assert isinstance(result.exception, SystemExit)  # an exit, not an escaped error
