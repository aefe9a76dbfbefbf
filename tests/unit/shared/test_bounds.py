"""The shared bounds on query dates: inside them a date passes through; outside, a 422 names it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import HTTPException

from shared.bounds import EARLIEST_QUERY_DATE, LATEST_QUERY_DATE, bounded_date

ONE_DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "day", [None, EARLIEST_QUERY_DATE, date(2026, 12, 3), date(2030, 12, 31), LATEST_QUERY_DATE]
)
def test_dates_within_the_bounds_pass_through(day: date | None) -> None:
    assert bounded_date("to", day) == day


@pytest.mark.parametrize(
    "day", [date.min, EARLIEST_QUERY_DATE - ONE_DAY, LATEST_QUERY_DATE + ONE_DAY, date.max]
)
def test_dates_outside_the_bounds_are_a_422_naming_the_field(day: date) -> None:
    with pytest.raises(HTTPException) as refused:
        bounded_date("from", day)
    assert refused.value.status_code == 422
    assert refused.value.detail["fields"][0]["field"] == "from"
