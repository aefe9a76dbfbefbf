"""Sleeping until woken, in a way that can always be cancelled.

On Python 3.11 `asyncio.wait_for(event.wait(), timeout)` can swallow a cancellation that arrives
in the same loop iteration as the event being set (CPython gh-86296, fixed in 3.12 by rewriting
`wait_for` on top of `asyncio.timeout`). A background loop built on it then never stops, and a
service (or a test) hangs at shutdown. `asyncio.timeout` has no such window.
"""

from __future__ import annotations

import asyncio


async def wait_woken(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` pass; True when woken. Cancellation always
    propagates."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
