"""Time for every service: the clock, and the UK calendar day that deadlines are counted in.

The clock is injected: `utc_now` is the one place production code reads the system time; a
service takes a `Clock` in its composition root (tests pass one they move by hand), and its use
cases and domain are handed `now` or `today`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
"""What a service takes as now: a timezone-aware instant."""

# Deadlines are UK calendar days: a complaint received at 23:30 UTC in summer arrived the next
# day in the UK, which is the day its working days are counted from.
UK_TIME = ZoneInfo("Europe/London")


def uk_date(instant: datetime) -> date:
    """The UK calendar day of a timezone-aware instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {instant!r}")
    return instant.astimezone(UK_TIME).date()


def start_of_uk_day(day: date) -> datetime:
    """The instant a UK calendar day begins, in UTC."""
    return datetime.combine(day, time.min, tzinfo=UK_TIME).astimezone(UTC)


def utc_now() -> datetime:
    """The system clock, in UTC: the default `Clock`."""
    return datetime.now(UTC)
