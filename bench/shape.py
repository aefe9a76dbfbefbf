"""The shape of `bench/results/latest.json`: pure arithmetic over what the runs measured, so the
keys and ratios can be checked without a broker (tests/unit/test_bench_shape.py). Nothing here
reads a clock."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

# Figures are rounded so the JSON reads as a report, not as float noise.
RATE_DIGITS = 1
MS_DIGITS = 1
# Four places: today a service runs at well under 1 % of the raw rate, which three would show as 0.
RATIO_DIGITS = 4
MB_DIGITS = 1
KIB_PER_MB = 1024


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the smallest value with at least pct % at or below it); 0.0 for
    no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    # pct * n first: 0.99 * 100 is 99.00000000000001 in floating point, which would round up.
    index = max(0, min(len(ordered) - 1, math.ceil(pct * len(ordered) / 100) - 1))
    return ordered[index]


def per_second(count: float, seconds: float) -> float:
    return round(count / seconds, RATE_DIGITS) if seconds > 0 else 0.0


def ratio(part: float, whole: float) -> float | None:
    """`part / whole`, or None when the whole is nothing (no baseline measured)."""
    return round(part / whole, RATIO_DIGITS) if whole > 0 else None


def latency_summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    """The old `summary` of a run: messages, rate and latency percentiles in ms."""
    return {
        "messages": len(latencies),
        "elapsed_seconds": round(elapsed, 3),
        "throughput_per_second": per_second(len(latencies), elapsed),
        "latency_p50_ms": round(percentile(latencies, 50) * 1000, MS_DIGITS),
        "latency_p99_ms": round(percentile(latencies, 99) * 1000, MS_DIGITS),
        "latency_mean_ms": (
            round(statistics.fmean(latencies) * 1000, MS_DIGITS) if latencies else 0.0
        ),
    }


def doubled(deliveries: Iterable[Hashable]) -> int:
    """How many deliveries arrived more than once (each (address, subject) counted once)."""
    return sum(1 for times in Counter(deliveries).values() if times > 1)


def through_suite(
    count: int, latencies: list[float], elapsed: float, doubles: int
) -> dict[str, Any]:
    """`pipeline` and `paced`: complaints posted, delivered, rate and latency (POST to mail)."""
    return {
        "complaints": count,
        "delivered": len(latencies),
        "elapsed_seconds": round(elapsed, 3),
        "complaints_per_second": per_second(len(latencies), elapsed),
        "p50_ms": round(percentile(latencies, 50) * 1000, MS_DIGITS),
        "p99_ms": round(percentile(latencies, 99) * 1000, MS_DIGITS),
        "lost": count - len(latencies),
        "doubled": doubles,
    }


def consumer_figures(
    *,
    events: int,
    committed: int,
    timed_events: int,
    timed_seconds: float,
    seconds_from_launch: float,
    raw_events: int,
    raw_seconds: float,
) -> dict[str, Any]:
    """One service's consumer-only run beside plain aiokafka over the same records.

    `timed_events` over `timed_seconds` is the rate from the first commit seen to the last (the
    service's start-up is not consumption); `seconds_from_launch` is the whole run, start-up
    included, reported beside it."""
    rate = per_second(timed_events, timed_seconds)
    raw_rate = per_second(raw_events, raw_seconds)
    return {
        "events": events,
        "committed": committed,
        "complete": committed >= events,
        "events_per_second": rate,
        "raw_aiokafka_per_second": raw_rate,
        "ratio": ratio(rate, raw_rate),
        "seconds_from_launch": round(seconds_from_launch, 3),
        "per_second_including_startup": per_second(committed, seconds_from_launch),
    }


def rebuild_figures(events: int, applied: int, seconds: float) -> dict[str, Any]:
    return {
        "events": events,
        "applied": applied,
        "seconds": round(seconds, 3),
        "events_per_second": per_second(events, seconds),
    }


def rss_mb(status_text: str) -> float | None:
    """VmRSS from the text of /proc/<pid>/status, in MB (MiB), or None if absent."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            kib = int(line.split()[1])
            return round(kib / KIB_PER_MB, MB_DIGITS)
    return None


def results(
    *,
    machine: Mapping[str, Any],
    parameters: Mapping[str, Any],
    sections: Mapping[str, Any],
) -> dict[str, Any]:
    """The whole report: every section named in docs/performance.md, present even when a
    section was skipped (then None), so a reader never has to guess whether a key is missing."""
    report: dict[str, Any] = {"machine": dict(machine), "parameters": dict(parameters)}
    for key in SECTIONS:
        report[key] = sections.get(key)
    return report


# The sections of latest.json in the order docs/performance.md explains them.
SECTIONS = (
    "pipeline",
    "paced",
    "consumers",
    "rebuild",
    "rss_idle_mb",
    "baseline_raw_aiokafka_produce_consume",
)
