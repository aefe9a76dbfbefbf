"""Reading the shared internal topic from "now", with a deadline, so intake tests see only what
they cause and fail (rather than wait forever) when it never appears.

Other test runs publish to the same topic at the same time, and a topic may be recreated by a
fresh `make test`; reading from the beginning with no overall deadline can then wait forever.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.topics import Topic
from tests.kit.kafka import collect, read_topic
from tests.kit.waiting import wait_until

# The broker assigns a group-less consumer its partitions on the first metadata fetch.
ASSIGNMENT_WAIT_SECONDS = 30.0
# Long enough for the outbox relay on a loaded machine; a missing event fails well before CI's
# own timeout.
EVENT_WAIT_SECONDS = 60.0


@asynccontextmanager
async def reading_from_now(bootstrap: str, topic: Topic) -> AsyncIterator[AIOKafkaConsumer]:
    """`tests.kit.kafka.read_topic`, positioned at the current end of every partition."""
    async with read_topic(bootstrap, topic) as consumer:

        async def assigned() -> bool:
            return bool(consumer.assignment())

        await wait_until(assigned, within=ASSIGNMENT_WAIT_SECONDS)
        await consumer.seek_to_end()
        for partition in consumer.assignment():
            await consumer.position(partition)  # resolve the lazy seek before anything is sent
        yield consumer


async def first_event(
    consumer: AIOKafkaConsumer,
    matches: Callable[[dict[str, Any]], bool],
    within: float = EVENT_WAIT_SECONDS,
) -> tuple[dict[str, str], dict[str, Any]]:
    """(headers, data) of the first record whose JSON data `matches`."""
    async with asyncio.timeout(within):
        while True:
            for record in await collect(consumer, 1, within=within):
                data = _json_object(record.value)
                if data is not None and _matching(matches, data):
                    headers = {name: value.decode() for name, value in record.headers}
                    return headers, data


def _json_object(value: bytes | None) -> dict[str, Any] | None:
    """The record's data, or None for one that is not a JSON object: the malformed-event tests
    (tests/integration/malformed) put tombstones and garbage on the shared topic on purpose, and
    a group-less consumer whose partitions are reassigned reads again from the earliest offset."""
    try:
        data = json.loads(value or b"")
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _matching(matches: Callable[[dict[str, Any]], bool], data: dict[str, Any]) -> bool:
    """Whether `data` matches; a JSON object without the fields a test looks at (another test's
    malformed record) does not."""
    try:
        return matches(data)
    except (KeyError, TypeError):
        return False
