"""A clock a test sets by hand; services take it as `create_app(..., clock=clock)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.timekeeping import utc_now


@dataclass
class ManualClock:
    """Stands still at `now` until the test moves it."""

    now: datetime = field(default_factory=utc_now)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by
