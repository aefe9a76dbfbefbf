"""UK working-day arithmetic against the test vectors of docs/reference/domain-rules.md §6."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.working_days import (
    Nation,
    add_months,
    add_working_days,
    is_working_day,
    next_working_day_on_or_after,
    working_days_between,
)

ALL_NATIONS: tuple[Nation, ...] = ("england", "wales", "scotland", "northern_ireland")

# (start, n, england/wales, scotland, northern ireland): docs/reference/domain-rules.md §6 table.
VECTORS = [
    (date(2025, 12, 24), 3, date(2025, 12, 31), date(2025, 12, 31), date(2025, 12, 31)),
    (date(2025, 12, 15), 20, date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 15)),
    (date(2026, 4, 2), 3, date(2026, 4, 9), date(2026, 4, 8), date(2026, 4, 9)),
    (date(2026, 4, 2), 5, date(2026, 4, 13), date(2026, 4, 10), date(2026, 4, 13)),
    (date(2026, 7, 9), 3, date(2026, 7, 14), date(2026, 7, 14), date(2026, 7, 15)),
    (date(2026, 7, 31), 3, date(2026, 8, 5), date(2026, 8, 6), date(2026, 8, 5)),
    (date(2026, 8, 27), 3, date(2026, 9, 2), date(2026, 9, 1), date(2026, 9, 2)),
    (date(2026, 11, 26), 3, date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 1)),
    (date(2026, 12, 23), 5, date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 4)),
    (date(2026, 1, 30), 20, date(2026, 2, 27), date(2026, 2, 27), date(2026, 2, 27)),
]

VECTOR_CASES = [
    pytest.param(start, n, nation, expected, id=f"{start}+{n}-{nation}")
    for start, n, eng, sct, nir in VECTORS
    for nation, expected in (
        ("england", eng),
        ("wales", eng),
        ("scotland", sct),
        ("northern_ireland", nir),
    )
]


@pytest.mark.parametrize(("start", "n", "nation", "expected"), VECTOR_CASES)
def test_add_working_days_matches_reference_vectors(
    start: date, n: int, nation: Nation, expected: date
) -> None:
    assert add_working_days(start, n, nation) == expected


@pytest.mark.parametrize(("start", "n", "nation", "expected"), VECTOR_CASES)
def test_working_days_between_inverts_reference_vectors(
    start: date, n: int, nation: Nation, expected: date
) -> None:
    assert working_days_between(start, expected, nation) == n


@pytest.mark.parametrize(
    ("day", "nation"),
    [
        (date(2026, 12, 28), "england"),  # Boxing Day substitute (26 Dec is a Saturday)
        (date(2026, 12, 28), "scotland"),
        (date(2025, 12, 1), "scotland"),  # St Andrew's Day substitute (30 Nov is a Sunday)
        (date(2025, 7, 14), "northern_ireland"),  # Boyne substitute (12 Jul is a Saturday)
        (date(2026, 3, 17), "northern_ireland"),  # St Patrick's Day
        (date(2026, 1, 2), "scotland"),  # 2 January
        (date(2026, 4, 3), "wales"),  # Good Friday: a common-law holiday in E&W
    ],
)
def test_substitute_and_regional_holidays_are_not_working_days(day: date, nation: Nation) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day, nation)


@pytest.mark.parametrize(
    ("day", "nation"),
    [
        (date(2025, 12, 1), "england"),  # St Andrew's substitute is Scotland only
        (date(2026, 3, 17), "england"),  # St Patrick's is Northern Ireland only
        (date(2026, 4, 6), "scotland"),  # no Easter Monday in Scotland
        (date(2026, 1, 2), "northern_ireland"),
    ],
)
def test_other_nations_holidays_are_working_days(day: date, nation: Nation) -> None:
    assert is_working_day(day, nation)


def test_weekend_start_counts_from_the_next_working_day() -> None:
    saturday = date(2026, 1, 10)
    assert add_working_days(saturday, 0, "england") == date(2026, 1, 12)
    assert add_working_days(saturday, 1, "england") == date(2026, 1, 13)
    assert working_days_between(saturday, date(2026, 1, 12), "england") == 0
    assert working_days_between(saturday, date(2026, 1, 13), "england") == 1


def test_bank_holiday_start_counts_from_the_next_working_day() -> None:
    easter_monday = date(2026, 4, 6)
    assert add_working_days(easter_monday, 1, "england") == date(2026, 4, 8)
    assert add_working_days(easter_monday, 1, "scotland") == date(2026, 4, 7)


def test_between_is_zero_when_end_is_not_after_start() -> None:
    day = date(2026, 2, 10)
    assert working_days_between(day, day, "england") == 0
    assert working_days_between(day, day - timedelta(days=30), "england") == 0


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 5), -1, "england")


def test_next_working_day_rolls_over_a_long_weekend() -> None:
    good_friday = date(2026, 4, 3)
    assert next_working_day_on_or_after(good_friday, "england") == date(2026, 4, 7)
    assert next_working_day_on_or_after(good_friday, "scotland") == date(2026, 4, 6)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), 1, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 31), -1, date(2026, 4, 30)),
    ],
)
def test_add_months_uses_calendar_months_clamped_to_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
nations = st.sampled_from(ALL_NATIONS)


@given(start=days, n=st.integers(min_value=0, max_value=60), nation=nations)
def test_add_then_count_round_trips(start: date, n: int, nation: Nation) -> None:
    end = add_working_days(start, n, nation)
    assert is_working_day(end, nation)
    assert end >= start
    assert working_days_between(start, end, nation) == n


@given(start=days, n=st.integers(min_value=0, max_value=40), nation=nations)
def test_adding_one_more_day_always_moves_forward(start: date, n: int, nation: Nation) -> None:
    assert add_working_days(start, n + 1, nation) > add_working_days(start, n, nation)


@given(start=days, n=st.integers(min_value=1, max_value=40))
def test_wales_and_england_share_a_calendar(start: date, n: int) -> None:
    assert add_working_days(start, n, "wales") == add_working_days(start, n, "england")
