"""A loop sleeping until woken must stop when cancelled, even when the wake-up and the
cancellation land in the same loop iteration (the case Python 3.11's wait_for loses)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from shared.wakeups import wait_woken


async def _loop_until_cancelled(event: asyncio.Event, rounds: list[int]) -> None:
    while True:
        await wait_woken(event, 60.0)
        event.clear()
        rounds.append(1)


async def test_a_cancellation_arriving_with_the_wake_up_is_not_lost() -> None:
    for _ in range(50):
        event = asyncio.Event()
        rounds: list[int] = []
        task = asyncio.create_task(_loop_until_cancelled(event, rounds))
        await asyncio.sleep(0)  # the task is now waiting
        event.set()
        task.cancel()  # same iteration as the wake-up
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        assert task.cancelled(), "the loop swallowed its cancellation and kept running"


async def test_it_says_whether_it_was_woken() -> None:
    event = asyncio.Event()
    assert await wait_woken(event, 0.01) is False
    event.set()
    assert await wait_woken(event, 5) is True


async def test_a_plain_cancellation_propagates() -> None:
    task = asyncio.create_task(wait_woken(asyncio.Event(), 60))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
