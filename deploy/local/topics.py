"""Waits for the Kafka broker, then creates every Redress topic that is missing.

python -m deploy.local.topics [--bootstrap localhost:9092] [--wait 120] [--await-only]

Every topic must have the partition count in `shared/topics.py`; one created otherwise (by broker
auto-creation, or by hand) is drift, and this fails loudly rather than run on it (issue 13 #10):
partitions can be added but the key-to-partition mapping then changes, so an operator decides.
`--await-only` creates nothing and waits until every topic exists with its partitions: `make run`
starts each service behind it (Procfile), so no service touches Kafka before the topics exist.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.kafka import wait_for_broker
from shared.topics import ALL_TOPICS, Topic

# One broker: replication factor can only be 1 (a cluster passes its own: deploy/local/cluster.py)
REPLICATION_FACTOR = 1
# How often --await-only looks again for the topics.
AWAIT_POLL_SECONDS = 0.5


class TopicDriftError(RuntimeError):
    """A topic exists with a partition count other than the one in shared/topics.py."""


async def partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    """Partitions per existing topic among `names` (call only for topics that exist)."""
    described = await admin.describe_topics(names)
    return {
        str(topic.get("topic", topic.get("name"))): len(topic["partitions"])
        for topic in described
        if not topic.get("error_code")
    }


def drift(counts: dict[str, int], topics: Sequence[Topic] = ALL_TOPICS) -> list[str]:
    expected = {topic.name: topic.partitions for topic in topics}
    return [
        f"{name} has {counts[name]} partitions, shared/topics.py says {expected[name]}"
        for name in sorted(counts)
        if name in expected and counts[name] != expected[name]
    ]


async def check_partitions(
    admin: AIOKafkaAdminClient, topics: Sequence[Topic] = ALL_TOPICS
) -> None:
    counts = await partition_counts(admin, [topic.name for topic in topics])
    problems = drift(counts, topics)
    if problems:
        raise TopicDriftError("topic drift: " + "; ".join(problems))


async def ensure_topics(
    bootstrap: str,
    timeout_seconds: float = 120.0,
    topics: Sequence[Topic] = ALL_TOPICS,
    *,
    replication_factor: int = REPLICATION_FACTOR,
    min_insync_replicas: int | None = None,
) -> list[str]:
    admin = await wait_for_broker(bootstrap, timeout_seconds)
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in topics if topic.name not in existing]
        configs = (
            {} if min_insync_replicas is None else {"min.insync.replicas": str(min_insync_replicas)}
        )
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        t.name,
                        num_partitions=t.partitions,
                        replication_factor=replication_factor,
                        topic_configs=configs,
                    )
                    for t in missing
                ]
            )
        # Only the topics that were already there can have drifted: a topic just created has its
        # count, and its metadata may not have reached every broker yet.
        await check_partitions(admin, [topic for topic in topics if topic.name in existing])
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def await_topics(bootstrap: str, timeout_seconds: float = 120.0) -> None:
    """Wait, creating nothing, until every topic exists with its partition count."""
    admin = await wait_for_broker(bootstrap, timeout_seconds)
    try:
        async with asyncio.timeout(timeout_seconds):
            wanted = [topic.name for topic in ALL_TOPICS]
            # Another process creates the topics; polling the broker is the only way to see them,
            # and a topic counts once its metadata answers without an error.
            while True:
                if set(wanted) <= set(await admin.list_topics()) and set(wanted) <= set(
                    await partition_counts(admin, wanted)
                ):
                    break
                await asyncio.sleep(AWAIT_POLL_SECONDS)
        await check_partitions(admin)
    finally:
        await admin.close()


def main() -> None:
    # aiokafka reports every refused connection while the broker starts; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    )
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for the broker")
    parser.add_argument("--await-only", action="store_true", help="create nothing; wait for them")
    args = parser.parse_args()
    try:
        if args.await_only:
            asyncio.run(await_topics(args.bootstrap, args.wait))
            return
        created = asyncio.run(ensure_topics(args.bootstrap, args.wait))
    except TopicDriftError as error:
        raise SystemExit(str(error)) from error
    print(f"Kafka ready at {args.bootstrap}; created {len(created)} topics", file=sys.stderr)


if __name__ == "__main__":
    main()
