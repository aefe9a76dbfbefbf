"""Consumer lag as /metrics reports it, sampled from the real broker (shared/observability.py):
a group's committed offset against the partition's end, and everything left when it has
committed nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from prometheus_client import REGISTRY

from shared.observability import LagSampler, Subscription
from shared.topics import Topic


def lag(service: str, group: str, topic: Topic, partition: int = 0) -> float | None:
    labels = {"service": service, "group": group, "topic": topic.name, "partition": str(partition)}
    return REGISTRY.get_sample_value("redress_consumer_lag", labels)


async def commit(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(offset, "")})
    finally:
        await consumer.stop()


async def test_lag_follows_the_groups_commits(
    kafka_bootstrap: str, make_topic: Callable[..., Any]
) -> None:
    topic: Topic = await make_topic("lag", partitions=2)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for number in range(5):
            await producer.send_and_wait(topic.name, f"record {number}".encode(), partition=0)
    finally:
        await producer.stop()
    service, group = f"lag-{uuid.uuid4().hex[:6]}", f"lag-test-{uuid.uuid4().hex[:8]}"
    sampler = LagSampler(service, kafka_bootstrap, [Subscription(group, topic)], lambda: True)
    try:
        await sampler.sample()
        # Nothing committed: all five records wait; the empty partition has nothing to wait.
        assert lag(service, group, topic, 0) == 5
        assert lag(service, group, topic, 1) == 0
        await commit(kafka_bootstrap, group, TopicPartition(topic.name, 0), 3)
        await sampler.sample()
        assert lag(service, group, topic, 0) == 2
    finally:
        await sampler.close()


async def test_no_sample_while_the_broker_is_known_down(kafka_bootstrap: str) -> None:
    service = f"lag-{uuid.uuid4().hex[:6]}"
    topic = Topic(f"redress.lag.{uuid.uuid4().hex[:8]}.v1", 1)
    sampler = LagSampler(service, kafka_bootstrap, [Subscription("g", topic)], lambda: False)
    await sampler.sample()
    assert (
        REGISTRY.get_sample_value(
            "redress_consumer_lag_samples_total", {"service": service, "outcome": "ok"}
        )
        is None
    )
    assert lag(service, "g", topic) is None
