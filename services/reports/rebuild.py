"""Rebuild the reports read model from the event log.

    python -m services.reports.rebuild

Reads the public case topic, the notification deliveries and the feedback responses from the
beginning, up to their end offsets when the rebuild starts, with a consumer of its own (manual
partition assignment, no consumer group, nothing committed, so the live service's offsets are
untouched). In ONE database transaction it empties the read model and applies every event with
the same projection the live consumers use (`projection.apply_event`), so the figures come out
exactly as the live model had them; readers see the old model until the commit.

Events that arrive during the rebuild are applied by the live service as usual; the projection's
merges do not depend on order and applying an event twice changes nothing, so the overlap is
harmless. Published reports are a record of what was published and are kept.

The database is `REPORTS_DATABASE_URL`; it is migrated first, so a fresh database works.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.projection import apply_event
from services.reports.settings import ReportsSettings
from services.reports.store import ReadModel
from shared.db import Database
from shared.envelope import EnvelopeError, parse_record
from shared.messaging import PermanentEventError
from shared.migrations import upgrade_to_head
from shared.topics import CASEWORK_CASES, FEEDBACK_RESPONSES, NOTIFICATION_DELIVERIES, Topic

log = logging.getLogger("redress.reports.rebuild")

SOURCE_TOPICS: tuple[Topic, ...] = (CASEWORK_CASES, NOTIFICATION_DELIVERIES, FEEDBACK_RESPONSES)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# How long one fetch waits for records before checking progress again.
FETCH_TIMEOUT_MS = 1000
# Records fetched per partition per round trip.
MAX_RECORDS_PER_FETCH = 2000
# A rebuild that receives nothing for this long while short of the end offsets gives up,
# rather than hang on a broker that went away (the transaction rolls back; nothing changes).
STALL_TIMEOUT_SECONDS = 60.0
# The progress line is redrawn at most this often.
PROGRESS_INTERVAL_SECONDS = 0.2


@dataclass
class RebuildResult:
    applied: int = 0
    # Records the model does not use (other event types) or that could never be applied.
    skipped: int = 0

    @property
    def read(self) -> int:
        return self.applied + self.skipped


class ProgressDisplay(Protocol):
    """What the rebuild reports its progress to (the operator CLI draws a progress bar)."""

    def update(self, done: int, *, force: bool = False) -> None: ...

    def finish(self, result: RebuildResult) -> None: ...


class Progress:
    """A one-line progress display (carriage return, no dependency on a progress-bar library)."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.out = out
        self._last_drawn = 0.0

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_drawn < PROGRESS_INTERVAL_SECONDS:
            return
        self._last_drawn = now
        pct = 100.0 if self.total == 0 else 100.0 * done / self.total
        self.out.write(f"\rrebuilding the read model: {done}/{self.total} events ({pct:5.1f}%)")
        self.out.flush()

    def finish(self, result: RebuildResult) -> None:
        self.update(result.read, force=True)
        self.out.write(f"\ndone: {result.applied} applied, {result.skipped} skipped\n")
        self.out.flush()


async def _partitions(bootstrap: str, topics: Sequence[Topic]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic.name for topic in topics])
    finally:
        await admin.close()
    return sorted(
        (
            TopicPartition(topic["topic"], partition["partition"])
            for topic in described
            for partition in topic["partitions"]
        ),
        key=lambda tp: (tp.topic, tp.partition),
    )


async def rebuild(
    settings: ReportsSettings,
    *,
    topics: Sequence[Topic] = SOURCE_TOPICS,
    out: TextIO = sys.stderr,
    display: Callable[[int], ProgressDisplay] | None = None,
) -> RebuildResult:
    """Rebuild the read model in `settings.database_url` from `topics`; see the module docstring.
    `display(total)` makes the progress display (default: a line on `out`)."""
    await asyncio.to_thread(upgrade_to_head, settings.database_url, MIGRATIONS_DIR)
    partitions = await _partitions(settings.kafka_bootstrap_servers, topics)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        max_poll_records=MAX_RECORDS_PER_FETCH,
    )
    await consumer.start()
    db = Database(settings.database_url)
    try:
        consumer.assign(partitions)
        beginning = await consumer.beginning_offsets(partitions)
        end = await consumer.end_offsets(partitions)
        for partition in partitions:
            consumer.seek(partition, beginning[partition])
        total = sum(end[p] - beginning[p] for p in partitions)
        progress = display(total) if display else Progress(total, out)
        async with db.transaction() as session:
            await ReadModel(session).clear()
            result = await _replay(consumer, partitions, end, session, progress)
        progress.finish(result)
        return result
    finally:
        await consumer.stop()
        await db.dispose()


async def _replay(
    consumer: AIOKafkaConsumer,
    partitions: list[TopicPartition],
    end: dict[TopicPartition, int],
    session: AsyncSession,
    progress: ProgressDisplay,
) -> RebuildResult:
    result = RebuildResult()
    pending = {p for p in partitions if await consumer.position(p) < end[p]}
    consumer.pause(*(p for p in partitions if p not in pending))
    last_progress = time.monotonic()
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=FETCH_TIMEOUT_MS)
        for partition, records in batch.items():
            for record in records:
                if record.offset >= end[partition]:
                    continue  # arrived after the rebuild started: the live service applies it
                if await _apply(session, record):
                    result.applied += 1
                else:
                    result.skipped += 1
            last_progress = time.monotonic()
        for partition in list(pending):
            if await consumer.position(partition) >= end[partition]:
                pending.discard(partition)
                consumer.pause(partition)
        progress.update(result.read)
        if time.monotonic() - last_progress > STALL_TIMEOUT_SECONDS:
            raise TimeoutError("the broker stopped sending events before the end offsets")
    return result


async def _apply(session: AsyncSession, record: ConsumerRecord[bytes, bytes]) -> bool:
    """Apply one record as the live consumer would; False if the model does not use it or it
    could never be applied (the live consumer dead-letters those and moves on). A savepoint
    per record: a record that fails half-way leaves nothing behind."""
    try:
        event = parse_record(record.headers or [], record.value)
        async with session.begin_nested():
            return await apply_event(ReadModel(session), event)
    except (EnvelopeError, PermanentEventError, ValidationError) as error:
        log.warning("skipped a record (%s)", type(error).__name__)
        return False


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(rebuild(ReportsSettings()))
    if result.read == 0:
        print("nothing to rebuild from: the topics are empty", file=sys.stderr)


if __name__ == "__main__":
    main()
