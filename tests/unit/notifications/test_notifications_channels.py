"""Channel choice with fallbacks, large print, and the SMS quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.channels import (
    MessageChannel,
    PreferredContact,
    choose_channels,
    needs_large_print,
    sms_send_time,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("preferred", "has_email", "has_phone", "expected"),
    [
        ("email", True, True, ["email", "sms", "letter"]),
        ("email", True, False, ["email", "letter"]),
        ("email", False, True, ["sms", "letter"]),
        ("email", False, False, ["letter"]),
        ("sms", True, True, ["sms", "email", "letter"]),
        ("sms", False, True, ["sms", "letter"]),
        ("sms", True, False, ["email", "letter"]),
        ("letter", True, True, ["letter", "email"]),
        ("letter", False, True, ["letter"]),
        ("phone", True, True, ["letter", "email"]),
        ("phone", False, True, ["letter"]),
    ],
)
def test_preferred_channel_first_then_fallbacks(
    preferred: PreferredContact, has_email: bool, has_phone: bool, expected: list[MessageChannel]
) -> None:
    assert choose_channels(preferred, [], has_email, has_phone) == expected


def test_an_unknown_preference_is_an_error() -> None:
    with pytest.raises(ValueError, match="pigeon"):
        choose_channels("pigeon", [], True, True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("adjustments", "expected"),
    [
        (["large_print"], True),
        (["Large print"], True),
        (["LARGE-PRINT", "braille"], True),
        (["  large   print "], True),
        (["braille"], False),
        (["print"], False),
        ([], False),
    ],
)
def test_large_print_adjustment(adjustments: list[str], expected: bool) -> None:
    assert needs_large_print(adjustments) is expected


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Winter: London is on GMT (UTC+0).
        (utc("2027-01-15T12:00"), utc("2027-01-15T12:00")),
        (utc("2027-01-15T08:00"), utc("2027-01-15T08:00")),
        (utc("2027-01-15T20:59:59"), utc("2027-01-15T20:59:59")),
        (utc("2027-01-15T21:00"), utc("2027-01-16T08:00")),
        (utc("2027-01-15T23:59"), utc("2027-01-16T08:00")),
        (utc("2027-01-16T00:00"), utc("2027-01-16T08:00")),
        (utc("2027-01-16T07:59"), utc("2027-01-16T08:00")),
        # Summer: BST (UTC+1). 07:30 UTC is 08:30 in London, so it may go now.
        (utc("2027-07-01T07:30"), utc("2027-07-01T07:30")),
        (utc("2027-07-01T06:30"), utc("2027-07-01T07:00")),
        (utc("2027-07-01T20:30"), utc("2027-07-02T07:00")),
        # Clocks go forward at 01:00 UTC on 28 March 2027: 22:00 GMT -> 08:00 BST.
        (utc("2027-03-27T22:00"), utc("2027-03-28T07:00")),
        (utc("2027-03-28T01:30"), utc("2027-03-28T07:00")),
        # Clocks go back at 01:00 UTC on 31 October 2027: 22:00 BST -> 08:00 GMT.
        (utc("2027-10-30T21:00"), utc("2027-10-31T08:00")),
        (utc("2027-10-31T00:30"), utc("2027-10-31T08:00")),
    ],
)
def test_sms_waits_for_the_morning_in_uk_time(now: datetime, expected: datetime) -> None:
    assert sms_send_time(now) == expected


def test_answer_is_in_the_callers_time_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    now = datetime(2027, 1, 16, 7, 0, tzinfo=tokyo)  # 22:00 GMT the day before

    result = sms_send_time(now)

    assert result.tzinfo is tokyo
    assert result == utc("2027-01-16T08:00")


def test_custom_quiet_hours_and_zone() -> None:
    now = datetime(2027, 1, 15, 12, 30, tzinfo=UTC)

    assert sms_send_time(now, time(12), time(13), "UTC") == utc("2027-01-15T13:00")
    assert sms_send_time(now, time(13), time(12), "UTC") == now


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sms_send_time(datetime(2027, 1, 15, 12, 0))


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_send_time_is_never_early_never_quiet_and_never_more_than_a_night_away(
    now: datetime,
) -> None:
    result = sms_send_time(now)
    local = result.astimezone(LONDON).time()

    assert result >= now
    assert time(8) <= local < time(21)
    assert result - now <= timedelta(hours=12)  # 11 h of quiet, plus a clock change
