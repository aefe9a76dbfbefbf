"""UK working-day and calendar-month arithmetic for deadlines.

A working day is a weekday that is not a bank or public holiday in the chosen UK nation
(`REDRESS_NATION`, docs/design.md §6). Holidays come from the `holidays` package, which follows the
Banking and Financial Dealings Act 1971 schedule 1, the royal proclamations and substitute days
(docs/reference/domain-rules.md §6). England and Wales share one calendar.

Counting convention (docs/reference/domain-rules.md §6, UNCONFIRMED for PHSO, so kept in one place
here):
"within N working days of day D" treats D as day 0 and counts from the next working day; a day
that is not itself a working day is treated as the next working day. Deadlines in months are
calendar months (`add_months`), clamped to the end of a shorter month.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Literal

import holidays
from dateutil.relativedelta import relativedelta

Nation = Literal["england", "wales", "scotland", "northern_ireland"]

# ISO 3166-2 subdivision codes the `holidays` package uses for the United Kingdom ("GB").
_SUBDIVISION: dict[Nation, str] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, so Saturday and Sunday are 5 and 6.


@functools.cache
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    """Every holiday date of one nation in one year, including substitute ("observed") days.

    Cached per nation and year: building a calendar is far slower than a set lookup, and
    deadline sweeps ask about the same few years over and over.
    """
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISION[nation], years=year)
    return frozenset(calendar.keys())


def is_working_day(day: date, nation: Nation) -> bool:
    """Whether `day` is a weekday that is not a bank holiday in `nation`."""
    return day.weekday() < _SATURDAY and day not in _bank_holidays(nation, day.year)


def next_working_day_on_or_after(day: date, nation: Nation) -> date:
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, nation):
        day += _ONE_DAY
    return day


def add_working_days(start: date, n: int, nation: Nation) -> date:
    """The date `n` working days after `start` (start is day 0; see the module docstring).

    `add_working_days(d, 0, nation)` is `d` rolled forward to a working day.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = next_working_day_on_or_after(start, nation)
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_working_day(day, nation):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, nation: Nation) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`.

    Uses the same convention as `add_working_days` (a non-working start counts from the next
    working day), so `working_days_between(d, add_working_days(d, n, x), x) == n` for every d.
    """
    first_counted = next_working_day_on_or_after(start, nation) + _ONE_DAY
    count = 0
    day = first_counted
    while day <= end:
        if is_working_day(day, nation):
            count += 1
        day += _ONE_DAY
    return count


def add_months(day: date, n: int) -> date:
    """`day` plus `n` calendar months; 31 January plus one month is 28 or 29 February."""
    shifted: date = day + relativedelta(months=n)
    return shifted
