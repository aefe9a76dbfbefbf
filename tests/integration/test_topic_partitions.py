"""deploy/local/topics.py on the real broker: topics created with their partitions, drift refused.

Issue 13 #10: topics created early with 1 partition instead of 3 went unnoticed; ensure_topics now
checks every count and fails loudly.
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.local.topics import TopicDriftError, await_topics, drift, ensure_topics
from shared.topics import ALL_TOPICS, Topic


async def _partitions(bootstrap: str, name: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([name])
        return len(described["partitions"])
    finally:
        await admin.close()


def test_drift_names_each_topic_whose_count_differs_from_the_registry() -> None:
    counts = {topic.name: topic.partitions for topic in ALL_TOPICS}
    assert drift(counts) == []
    counts["redress.casework.cases.v1"] = 1
    assert drift(counts) == ["redress.casework.cases.v1 has 1 partitions, shared/topics.py says 3"]


async def test_missing_topics_are_created_with_their_partition_counts(kafka_bootstrap: str) -> None:
    wanted = [Topic(f"redress.partitions.{uuid.uuid4().hex[:10]}.v1", 3)]
    created = await ensure_topics(kafka_bootstrap, 30.0, wanted)
    assert created == [wanted[0].name]
    assert await _partitions(kafka_bootstrap, wanted[0].name) == 3
    # A second run finds them and creates nothing.
    assert await ensure_topics(kafka_bootstrap, 30.0, wanted) == []


async def test_a_topic_that_exists_with_the_wrong_partition_count_fails_loudly(
    kafka_bootstrap: str,
) -> None:
    # As if something had created it before deploy.local.topics ran: one partition, not three.
    name = f"redress.early.{uuid.uuid4().hex[:10]}.v1"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
        with pytest.raises(TopicDriftError, match=f"{name} has 1 partitions"):
            await ensure_topics(kafka_bootstrap, 30.0, [Topic(name, 3)])
        assert await _partitions(kafka_bootstrap, name) == 1
    finally:
        await admin.delete_topics([name])
        await admin.close()


async def test_services_wait_for_the_registry_topics_which_the_test_broker_has(
    kafka_bootstrap: str,
) -> None:
    # The Procfile starts each service behind `--await-only`; it returns once all topics exist.
    await await_topics(kafka_bootstrap, 30.0)
