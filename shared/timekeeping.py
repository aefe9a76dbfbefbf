"""Turning instants into the UK calendar day that deadlines are counted in (all services)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

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
