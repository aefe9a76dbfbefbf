"""The consumer-only benchmark: one service alone against a topic prepared with N valid events of
the type it consumes, timed to its consumer group's last committed offset, beside a plain
AIOKafkaConsumer reading the same records in the same run.

For each service: its consumer groups start at the current end of every topic (as the suite
starts them), N events go onto the measured topic with the real payload models and the real
CloudEvents envelope, and only then does the service start, as a process (tests/e2e/suite.py),
with the SMTP server beside it. An admin client polls the measured group's committed offsets
until they reach the end of what was written.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.shape import consumer_figures
from shared.envelope import build_event
from shared.events import (
    CaseClosed,
    CaseOpened,
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    EligibilityFlags,
    Organisation,
    Payload,
    Sector,
    Stage,
)
from shared.events.vocabulary import ClosureReason
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS, Topic
from tests.e2e.suite import Suite, consumer_groups, start_groups_at_end
from tests.kit.apps import free_port

# How often the committed offsets are read: bounds the timing's resolution.
COMMIT_POLL_SECONDS = 0.05
# A run that commits nothing new for this long is reported incomplete rather than waited on.
STALL_SECONDS = 60.0
# A directory entry (shared/directory/organisations.csv), as intake would have matched it.
ORGANISATION = Organisation(id="RNS01", name="Northshire NHS Trust", sector=Sector.HEALTH)
# How long the benchmark's closed cases were open (CaseClosed needs both figures).
OPEN_DAYS = 30
WORKING_DAYS_OPEN = 20


def complaint_received(reference: str, now: datetime) -> Payload:
    return ComplaintReceived(
        complaint_id=str(uuid.uuid4()),
        reference=reference,
        received_at=now,
        channel=Channel.WEB,
        complainant=Complainant(
            name="Bench Person",
            email=f"{reference.lower()}@example.org",
            preferred_contact=ContactMethod.EMAIL,
        ),
        organisation=ORGANISATION,
        summary="Benchmark complaint: an appointment was cancelled without notice.",
        desired_outcome="An apology.",
        first_aware_on=date(2026, 6, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=f"token-{reference}",
    )


def case_opened(reference: str, now: datetime) -> Payload:
    return CaseOpened(
        reference=reference,
        occurred_at=now,
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        channel=Channel.WEB,
        received_at=now,
    )


def case_closed(reference: str, now: datetime) -> Payload:
    return CaseClosed(
        reference=reference,
        occurred_at=now,
        organisation=ORGANISATION,
        stage=Stage.CLOSED,
        closure_reason=ClosureReason.UPHELD,
        opened_at=now - timedelta(days=OPEN_DAYS),
        working_days_open=WORKING_DAYS_OPEN,
    )


@dataclass(frozen=True)
class Target:
    """What one service's run feeds it: the topic, the group timed, the events' factory."""

    topic: Topic
    consumer: str
    source: str
    make: Callable[[str, datetime], Payload]


# The main consumer of each service (its app.py / consumers.py), with the type it consumes.
TARGETS: dict[str, Target] = {
    "casework": Target(INTAKE_COMPLAINTS, "cases", "intake", complaint_received),
    "notifications": Target(CASEWORK_CASES, "cases", "casework", case_opened),
    "reports": Target(CASEWORK_CASES, "cases", "casework", case_opened),
    "feedback": Target(CASEWORK_CASES, "closures", "casework", case_closed),
}

Offsets = dict[TopicPartition, int]


async def end_offsets(bootstrap: str, topic: Topic) -> Offsets:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def fill(bootstrap: str, target: Target, count: int) -> None:
    """Writes `count` events of the target's type, each its own case, with the real envelope."""
    run = uuid.uuid4().hex[:8].upper()
    now = datetime.now(UTC)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for n in range(count):
            reference = f"RDR-BENCH-{run}-{n:06d}"
            event = build_event(
                target.make(reference, now), source_service=target.source, subject=reference
            )
            await producer.send(
                target.topic.name, event.value(), key=event.key(), headers=event.headers()
            )
        await producer.flush()
    finally:
        await producer.stop()


def committed_since(start: Offsets, committed: dict[TopicPartition, Any]) -> int:
    """Records committed past `start` (a partition the group has not committed counts 0)."""
    return sum(
        max(0, committed[tp].offset - offset) for tp, offset in start.items() if tp in committed
    )


@dataclass
class CommitTimes:
    committed: int = 0
    first_seen_at: float | None = None
    first_seen_count: int = 0
    last_at: float = 0.0


async def watch_commits(
    bootstrap: str, group: str, start: Offsets, count: int, alive: Callable[[], bool]
) -> CommitTimes:
    """Polls the group's committed offsets until `count` records past `start` are committed,
    nothing new is committed for STALL_SECONDS, or the service is no longer `alive`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    times = CommitTimes()
    progress_at = time.monotonic()
    try:
        while (
            times.committed < count and time.monotonic() - progress_at < STALL_SECONDS and alive()
        ):
            offsets = await admin.list_consumer_group_offsets(group, partitions=list(start))
            done, now = committed_since(start, offsets), time.monotonic()
            if done > times.committed:
                if times.first_seen_at is None:
                    times.first_seen_at, times.first_seen_count = now, done
                times.committed, times.last_at, progress_at = done, now, now
            await asyncio.sleep(COMMIT_POLL_SECONDS)
    finally:
        await admin.close()
    return times


async def raw_read(bootstrap: str, start: Offsets, end: Offsets) -> tuple[int, float]:
    """A plain AIOKafkaConsumer (no group, nothing decoded) reading exactly `start`..`end`:
    the records and the seconds it took."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        pending, records = {tp for tp in start if start[tp] < end[tp]}, 0
        began = time.monotonic()
        while pending:
            for tp, batch in (await consumer.getmany(*pending, timeout_ms=500)).items():
                records += sum(1 for record in batch if record.offset < end[tp])
                if await consumer.position(tp) >= end[tp]:
                    pending.discard(tp)
        return records, time.monotonic() - began
    finally:
        await consumer.stop()


def solo_suite(root: Path, kafka: str, postgres_admin_url: str | None) -> Suite:
    """A suite whose processes are started one by one: every port allotted (each process's
    environment names them all), nothing launched yet."""
    suite = Suite(root=root, kafka=kafka, postgres_admin_url=postgres_admin_url)
    for name in (*suite.service_processes, "smtp", "sms", "intake-mail"):
        suite.ports[name] = free_port()
    (root / "logs").mkdir(parents=True, exist_ok=True)
    return suite


async def one_service(
    service: str, bootstrap: str, count: int, root: Path, postgres_admin_url: str | None
) -> dict[str, Any]:
    """The consumer-only run of one service, then the raw read of the same records."""
    target = TARGETS[service]
    suite = solo_suite(root, bootstrap, postgres_admin_url)
    prefix = suite.group_prefix
    await start_groups_at_end(
        bootstrap, [g for g in consumer_groups(prefix) if g.startswith(f"{prefix}-{service}-")]
    )
    if postgres_admin_url is not None:
        await suite.create_databases()
    start = await end_offsets(bootstrap, target.topic)
    await fill(bootstrap, target, count)
    end = await end_offsets(bootstrap, target.topic)
    written = sum(end[tp] - start[tp] for tp in start)
    suite.launch("smtp")
    launched = time.monotonic()
    suite.launch(service)
    try:
        process = suite.processes[service]
        group = f"{prefix}-{service}-{target.consumer}"
        times = await watch_commits(
            bootstrap, group, start, written, lambda: process.poll() is None
        )
        if times.committed < written:
            print(f"{service} fell short; its log:\n{suite.log(service)[-3000:]}", file=sys.stderr)
    finally:
        await asyncio.to_thread(suite.stop_all)
        await suite.drop_databases()
    raw_events, raw_seconds = await raw_read(bootstrap, start, end)
    first = times.first_seen_at if times.first_seen_at is not None else times.last_at
    return consumer_figures(
        events=written,
        committed=times.committed,
        timed_events=times.committed - times.first_seen_count,
        timed_seconds=times.last_at - first,
        seconds_from_launch=times.last_at - launched if times.committed else 0.0,
        raw_events=raw_events,
        raw_seconds=raw_seconds,
    )


async def all_consumers(
    bootstrap: str, count: int, root: Path, postgres_admin_url: str | None
) -> dict[str, Any]:
    return {
        service: await one_service(service, bootstrap, count, root / service, postgres_admin_url)
        for service in TARGETS
    }
