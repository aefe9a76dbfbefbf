"""Waiting for a Kafka broker to answer, without leaking clients while it starts."""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

# Between attempts while the broker starts: short, since a cold broker is up in seconds.
RETRY_INTERVAL_SECONDS = 0.5


async def wait_for_broker(bootstrap: str, timeout_seconds: float) -> AIOKafkaAdminClient:
    """An admin client connected to a broker that answers; the caller closes it."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return admin
        except (KafkaConnectionError, KafkaError, OSError):
            await admin.close()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(RETRY_INTERVAL_SECONDS)


async def broker_answers(bootstrap: str, timeout_seconds: float) -> None:
    admin = await wait_for_broker(bootstrap, timeout_seconds)
    await admin.close()
