"""Waits for the Kafka broker, then creates every Redress topic that is missing.

python -m deploy.local.topics [--bootstrap localhost:9092] [--wait 120]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from aiokafka.admin import NewTopic

from shared.kafka import wait_for_broker
from shared.topics import ALL_TOPICS

# Single broker: replication factor can only be 1.
REPLICATION_FACTOR = 1


async def ensure_topics(bootstrap: str, timeout_seconds: float = 120.0) -> list[str]:
    admin = await wait_for_broker(bootstrap, timeout_seconds)
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in ALL_TOPICS if topic.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        t.name, num_partitions=t.partitions, replication_factor=REPLICATION_FACTOR
                    )
                    for t in missing
                ]
            )
        return [topic.name for topic in missing]
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
    args = parser.parse_args()
    created = asyncio.run(ensure_topics(args.bootstrap, args.wait))
    print(f"Kafka ready at {args.bootstrap}; created {len(created)} topics", file=sys.stderr)


if __name__ == "__main__":
    main()
