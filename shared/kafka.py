"""Waiting for a Kafka broker to answer, without leaking clients while it starts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

log = logging.getLogger("redress.kafka")

# Between attempts while the broker starts: short, since a cold broker is up in seconds.
RETRY_INTERVAL_SECONDS = 1.0


async def wait_for_broker(bootstrap: str, timeout_seconds: float) -> AIOKafkaAdminClient:
    """An admin client connected to a broker that answers; the caller closes it.

    aiokafka logs every refused connection as an error; while a broker starts that is expected,
    so one warning a second replaces them.
    """
    with _quiet(logging.getLogger("aiokafka")):
        return await _wait_for_broker(bootstrap, timeout_seconds)


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


async def _wait_for_broker(bootstrap: str, timeout_seconds: float) -> AIOKafkaAdminClient:
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
            log.warning("waiting for Kafka at %s", bootstrap)
            await asyncio.sleep(RETRY_INTERVAL_SECONDS)


async def broker_answers(bootstrap: str, timeout_seconds: float) -> None:
    admin = await wait_for_broker(bootstrap, timeout_seconds)
    await admin.close()
