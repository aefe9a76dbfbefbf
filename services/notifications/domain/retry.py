"""When to try sending a message again after a temporary or technical failure.

Notify retries on a fixed 5-minute interval, 48 times (docs/reference/notify-anchor.md §1
"Provider retries"), with no backoff or jitter, so a provider outage is met by every stuck message
retrying in lockstep. We use exponential backoff with full jitter instead ("Exponential Backoff
And Jitter", AWS Architecture Blog, 2015): the delay before attempt n+1 is uniform in
[0, min(cap, base * 2**(n-1))], which spreads retries out and still backs off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

# Defaults (docs/reference/notify-anchor.md §1 "Provider retries" and §6 "Goals": go beyond
# Notify's fixed interval). Between 8 attempts there are 7 waits with ceilings 30 s, 1, 2, 4, 8, 16
# and 32 min, about 64 min in all; the 1 h cap bounds a longer policy. Then the message is
# technical-failure.
DEFAULT_MAX_ATTEMPTS: Final = 8
DEFAULT_BASE_DELAY_SECONDS: Final = 30.0
DEFAULT_MAX_DELAY_SECONDS: Final = 3600.0

# 2**62 * any sensible base is far above any cap; stopping the exponent here avoids float overflow.
_MAX_EXPONENT: Final = 62


def backoff_ceiling(attempt: int, *, base: float, cap: float) -> float:
    """The largest delay allowed after `attempt` (1 = the first try failed)."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, got {attempt}")
    if base < 0 or cap < 0:
        raise ValueError("base and cap must not be negative")
    exponent = min(attempt - 1, _MAX_EXPONENT)
    return min(cap, base * 2.0**exponent)


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after failed `attempt` before the next one: full jitter, AWS style."""
    return rng.uniform(0.0, backoff_ceiling(attempt, base=base, cap=cap))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to try a message, and how long to wait between tries."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_delay_seconds: float = DEFAULT_BASE_DELAY_SECONDS
    max_delay_seconds: float = DEFAULT_MAX_DELAY_SECONDS

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be 1 or more")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < self.base_delay_seconds:
            raise ValueError("need 0 <= base_delay_seconds <= max_delay_seconds")

    def should_retry(self, attempts_made: int) -> bool:
        """Whether another attempt is allowed after `attempts_made` failed ones."""
        return attempts_made < self.max_attempts

    def delay(self, attempts_made: int, rng: random.Random) -> timedelta:
        seconds = backoff_delay(
            attempts_made, base=self.base_delay_seconds, cap=self.max_delay_seconds, rng=rng
        )
        return timedelta(seconds=seconds)

    def next_attempt_at(
        self, now: datetime, attempts_made: int, rng: random.Random
    ) -> datetime | None:
        """When to try next, or None when the attempts are used up (give up: technical-failure)."""
        if not self.should_retry(attempts_made):
            return None
        return now + self.delay(attempts_made, rng)
