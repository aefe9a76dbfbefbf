"""The shared bounds on query dates: inside them a date passes through; outside, a 422 names it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import HTTPException

from shared.bounds import EARLIEST_QUERY_DATE, LATEST_QUERY_DATE_AHEAD, bounded_date

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("day", [None, EARLIEST_QUERY_DATE, TODAY, TODAY + LATEST_QUERY_DATE_AHEAD])
def test_dates_within_the_bounds_pass_through(day: date | None) -> None:
    assert bounded_date("to", day, TODAY) == day


@pytest.mark.parametrize(
    "day",
    [date.min, date(1967, 3, 31), TODAY + LATEST_QUERY_DATE_AHEAD + timedelta(days=1), date.max],
)
def test_dates_outside_the_bounds_are_a_422_naming_the_field(day: date) -> None:
    with pytest.raises(HTTPException) as refused:
        bounded_date("from", day, TODAY)
    assert refused.value.status_code == 422
    assert refused.value.detail["fields"][0]["field"] == "from"
