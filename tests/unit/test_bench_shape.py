"""`make bench`'s result shaping (bench/shape.py) and its prepared events (bench/consumers.py),
without a broker: the report must carry every section issue 12 names, ratios must be the
service's rate over the raw rate, and the events fed to each consumer must be ones it accepts.
No time is measured or asserted here."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

from bench.consumers import TARGETS, committed_since
from bench.shape import (
    SECTIONS,
    consumer_figures,
    doubled,
    percentile,
    rebuild_figures,
    results,
    rss_mb,
    through_suite,
)
from shared.envelope import build_event, parse_record

ISSUE_SECTIONS = {"pipeline", "paced", "consumers", "rebuild", "rss_idle_mb"}


def test_the_report_has_every_section_even_one_that_was_not_run() -> None:
    report = results(
        machine={"cores": 2, "python": "3.12", "database": "sqlite"},
        parameters={"complaints": 10},
        sections={"pipeline": {"complaints": 10}},
    )
    assert set(SECTIONS) >= ISSUE_SECTIONS
    assert set(report) == {"machine", "parameters", *SECTIONS}
    assert report["pipeline"] == {"complaints": 10}
    assert report["rebuild"] is None
    assert report["machine"]["database"] == "sqlite"


def test_a_consumer_figure_is_its_rate_over_the_raw_rate() -> None:
    figures = consumer_figures(
        events=1000,
        committed=1000,
        timed_events=900,
        timed_seconds=9.0,
        seconds_from_launch=12.5,
        raw_events=1000,
        raw_seconds=0.5,
    )
    assert figures["events_per_second"] == 100.0
    assert figures["raw_aiokafka_per_second"] == 2000.0
    assert figures["ratio"] == 0.05
    assert figures["per_second_including_startup"] == 80.0
    assert figures["complete"] is True


def test_a_consumer_that_fell_short_says_so_and_no_baseline_gives_no_ratio() -> None:
    figures = consumer_figures(
        events=1000,
        committed=400,
        timed_events=300,
        timed_seconds=3.0,
        seconds_from_launch=5.0,
        raw_events=0,
        raw_seconds=0.0,
    )
    assert figures["complete"] is False
    assert figures["ratio"] is None
    assert figures["committed"] == 400


def test_the_pipeline_counts_lost_and_doubled_deliveries() -> None:
    mails = [("a@x", "Ack"), ("b@x", "Ack"), ("a@x", "Ack"), ("a@x", "Other")]
    figures = through_suite(3, [0.1, 0.2], 2.0, doubled(mails))
    assert figures["lost"] == 1
    assert figures["doubled"] == 1
    assert figures["complaints_per_second"] == 1.0
    assert figures["p99_ms"] == 200.0


def test_percentiles_are_nearest_rank_and_empty_is_zero() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 99) == 0.0


def test_rebuild_and_memory_figures() -> None:
    assert rebuild_figures(5000, 4000, 0.5)["events_per_second"] == 10000.0
    assert rss_mb("Name:\tpython\nVmRSS:\t  117760 kB\nThreads: 4\n") == 115.0
    assert rss_mb("Name:\tzombie\n") is None


def test_commits_are_counted_past_the_start_and_an_uncommitted_partition_is_none() -> None:
    start = {TopicPartition("t", 0): 10, TopicPartition("t", 1): 5}
    committed = {TopicPartition("t", 0): OffsetAndMetadata(15, "")}
    assert committed_since(start, committed) == 5


def test_each_consumer_is_fed_valid_events_of_a_type_it_consumes() -> None:
    now = datetime.now(UTC)
    for service, target in TARGETS.items():
        event = build_event(
            target.make("RDR-BENCH-X-000001", now), source_service=target.source, subject="R"
        )
        parsed = parse_record(event.headers(), event.value())
        assert type(parsed.payload()) is type(target.make("R", now)), service
