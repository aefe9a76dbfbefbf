"""Waiting for what happens elsewhere (another task, another process, the broker)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# How long one hop through Kafka may take before a test calls it lost (generous: shared CI box).
HOP_TIMEOUT_SECONDS = 45.0
POLL_SECONDS = 0.25


async def wait_until(
    predicate: Callable[[], Awaitable[bool]], within: float = 30.0, interval: float = 0.1
) -> None:
    """Returns once `predicate()` is true; fails the test after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def eventually(probe: Callable[[], T | None], what: str, timeout: float = HOP_TIMEOUT_SECONDS) -> T:
    """The first truthy answer of `probe()`, polled (for tests outside an event loop)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out waiting for {what}")


async def until_passes(check: Callable[[], Awaitable[T]], within: float = 60.0) -> T:
    """`check()`'s result once it stops raising AssertionError; its last failure after `within`."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            return await check()
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.3)
