"""Exponential backoff with full jitter, and the retry policy around it."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.retry import (
    DEFAULT_BASE_DELAY_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY_SECONDS,
    RetryPolicy,
    backoff_ceiling,
    backoff_delay,
)

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@given(
    attempt=st.integers(min_value=1, max_value=5000),
    base=st.floats(min_value=0.0, max_value=600.0),
    cap=st.floats(min_value=0.0, max_value=86_400.0),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_delay_is_within_zero_and_the_capped_exponential(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap, rng=random.Random(seed))

    assert 0.0 <= delay <= min(cap, base * 2.0 ** min(attempt - 1, 1000))
    assert delay <= cap


@given(st.integers(min_value=1, max_value=200))
def test_ceiling_never_shrinks_as_attempts_grow(attempt: int) -> None:
    ceiling = backoff_ceiling(attempt, base=30.0, cap=3600.0)

    assert ceiling <= backoff_ceiling(attempt + 1, base=30.0, cap=3600.0)


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 30.0), (2, 60.0), (3, 120.0), (7, 1920.0), (8, 3600.0), (50, 3600.0)],
)
def test_ceiling_doubles_until_the_cap(attempt: int, ceiling: float) -> None:
    assert backoff_ceiling(attempt, base=30.0, cap=3600.0) == ceiling


def test_jitter_is_full_not_fixed() -> None:
    rng = random.Random(1234)
    delays = [backoff_delay(4, base=30.0, cap=3600.0, rng=rng) for _ in range(2000)]

    assert min(delays) < 24.0  # close to zero: the whole range is used
    assert max(delays) > 216.0  # close to the 240 s ceiling
    assert statistics.mean(delays) == pytest.approx(120.0, rel=0.1)


def test_same_seed_same_delays() -> None:
    first = [backoff_delay(n, base=30, cap=3600, rng=random.Random(7)) for n in range(1, 9)]
    second = [backoff_delay(n, base=30, cap=3600, rng=random.Random(7)) for n in range(1, 9)]

    assert first == second


@pytest.mark.parametrize(
    ("attempt", "base", "cap"), [(0, 30.0, 60.0), (1, -1.0, 60.0), (1, 30.0, -1.0)]
)
def test_nonsense_arguments_are_refused(attempt: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError, match="must"):
        backoff_ceiling(attempt, base=base, cap=cap)


def test_default_policy_goes_beyond_notify() -> None:
    policy = RetryPolicy()

    assert (policy.max_attempts, policy.base_delay_seconds, policy.max_delay_seconds) == (
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_BASE_DELAY_SECONDS,
        DEFAULT_MAX_DELAY_SECONDS,
    )
    assert (DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_DELAY_SECONDS, DEFAULT_MAX_DELAY_SECONDS) == (
        8,
        30.0,
        3600.0,
    )


def test_policy_stops_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    rng = random.Random(0)

    assert policy.should_retry(2)
    assert not policy.should_retry(3)
    assert policy.next_attempt_at(NOW, 3, rng) is None


@given(
    attempts_made=st.integers(min_value=1, max_value=7),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_next_attempt_is_after_now_and_within_the_ceiling(attempts_made: int, seed: int) -> None:
    policy = RetryPolicy()

    at = policy.next_attempt_at(NOW, attempts_made, random.Random(seed))

    assert at is not None
    ceiling = backoff_ceiling(attempts_made, base=30.0, cap=3600.0)
    assert NOW <= at <= NOW + timedelta(seconds=ceiling)


@pytest.mark.parametrize(
    ("max_attempts", "base", "cap"), [(0, 30.0, 60.0), (3, -1.0, 60.0), (3, 120.0, 60.0)]
)
def test_an_impossible_policy_is_refused(max_attempts: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        RetryPolicy(max_attempts, base, cap)
