"""What a consumer's dead letters and handling time look like on /metrics, on the real broker:
counted by consumer and reason class, timed by event type, never labelled with their content."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from shared.envelope import CloudEvent
from shared.messaging import PermanentEventError
from shared.observability import UNKNOWN_EVENT_TYPE
from shared.topics import Topic
from tests.integration.messaging_kit import KitService
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration


def dead_letters(service: str, reason: str) -> float | None:
    labels = {"service": service, "consumer": "effects", "reason": reason}
    return REGISTRY.get_sample_value("redress_dlq_records_total", labels)


async def test_dead_letters_are_counted_by_reason_class_and_handling_is_timed(
    tmp_path: Path, make_topic: Callable[..., Any], kafka_bootstrap: str
) -> None:
    service = f"dlqmetrics{uuid.uuid4().hex[:6]}"
    kit = KitService(f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}", kafka_bootstrap, service)
    await kit.create_schema()
    topic: Topic = await make_topic()
    kit.messaging.dlq_topic = await make_topic("dlq")

    async def refuse_the_poisoned(session: AsyncSession, event: CloudEvent) -> None:
        if event.subject == "RDR-POISON":
            raise PermanentEventError("jane@example.org cannot be applied")
        await kit.record_effect(session, event)

    kit.messaging.consume(topic, refuse_the_poisoned, consumer="effects")
    assert dead_letters(service, "rejected") == 0  # declared before the first one
    good = CloudEvent(type="redress.test.happened", source="/kit", subject="RDR-GOOD", data={})
    poison = CloudEvent(type="redress.test.happened", source="/kit", subject="RDR-POISON", data={})
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic.name, b"{not json", key=b"RDR-BAD", headers=good.headers()
        )
        for event in (poison, good):
            await producer.send_and_wait(
                topic.name, event.value(), key=event.key(), headers=event.headers()
            )
    finally:
        await producer.stop()
    try:
        await kit.messaging.broker.start()
        await wait_until(lambda: _effects(kit))
    finally:
        await kit.close()
    assert dead_letters(service, "undecodable") == 1
    assert dead_letters(service, "rejected") == 1
    assert dead_letters(service, "failed") == 0
    # An unregistered type is timed under one label, not its own name.
    timed = REGISTRY.get_sample_value(
        "redress_handler_seconds_count",
        {"service": service, "consumer": "effects", "event_type": UNKNOWN_EVENT_TYPE},
    )
    assert timed == 1
    exported = "\n".join(
        f"{sample.labels}" for metric in REGISTRY.collect() for sample in metric.samples
    )
    assert "jane@example.org" not in exported
    assert "RDR-POISON" not in exported


async def _effects(kit: KitService) -> bool:
    return await kit.effect_count() >= 1
