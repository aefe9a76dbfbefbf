"""Transactional outbox: state changes and outgoing events commit together; a relay publishes.

A service calls `add_to_outbox(session, topic, event)` inside the same transaction as its state
change. `OutboxRelay` publishes unpublished rows in order, then marks them published. A crash
between publishing and marking republishes on restart: consumers dedupe by `ce_id` (the inbox),
so the effect is exactly once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database, UtcDateTime
from shared.envelope import CloudEvent
from shared.timekeeping import utc_now
from shared.topics import Topic
from shared.tracing import current_traceparent
from shared.wakeups import wait_woken

log = logging.getLogger("redress.outbox")

# Publish(topic, key, value, headers) -> awaitable that resolves once the broker acknowledged.
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Any]]

# Any 64-bit constant, the same in every instance of one service: the lock that elects the one
# relay allowed to publish at a time on PostgreSQL, so events leave in commit order.
RELAY_ADVISORY_LOCK_BASE = 7_331_000


def outbox_table(metadata: MetaData) -> Table:
    if "outbox" in metadata.tables:
        return metadata.tables["outbox"]
    return Table(
        "outbox",
        metadata,
        Column(
            "seq",
            BigInteger().with_variant(Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(255), nullable=False),
        Column("message_key", String(255), nullable=False),
        Column("ce_type", String(255), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True, index=True),
    )


async def add_to_outbox(
    session: AsyncSession, table: Table, topic: Topic | str, event: CloudEvent
) -> None:
    if event.traceparent is None:
        # The writer's trace, kept with the row: the relay publishes it later from a task of
        # its own, whose context is not the writer's.
        event = dataclasses.replace(event, traceparent=current_traceparent())
    headers = {name: value.decode() for name, value in event.headers()}
    await session.execute(
        insert(table).values(
            event_id=event.id,
            topic=topic if isinstance(topic, str) else topic.name,
            message_key=event.subject,
            ce_type=event.type,
            headers=headers,
            value=event.value(),
            created_at=utc_now(),
        )
    )


class OutboxRelay:
    """Publishes the outbox in commit order; woken after commits, polls as a safety net."""

    def __init__(
        self,
        db: Database,
        table: Table,
        publish: Publish,
        *,
        service: str,
        batch_size: int,
        poll_interval: float,
    ) -> None:
        self._db = db
        self._table = table
        self._publish = publish
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._lock_id = RELAY_ADVISORY_LOCK_BASE + sum(service.encode())
        self._wake = asyncio.Event()
        self.published_total = 0

    def wake(self) -> None:
        self._wake.set()

    async def pending(self) -> int:
        async with self._db.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(self._table)
                .where(self._table.c.published_at.is_(None))
            )
        return int(count or 0)

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many rows wait to be published, and when the oldest of them was written; one
        query over the `published_at` index."""
        unpublished = self._table.c.published_at.is_(None)
        async with self._db.sessions() as session:
            row = (
                await session.execute(
                    select(func.count(), func.min(self._table.c.created_at)).where(unpublished)
                )
            ).one()
        count, oldest = row
        return int(count or 0), oldest

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        if self._db.is_postgres:
            return await self._run_once_postgres()
        return await self._run_once_single_writer()

    async def _run_once_postgres(self) -> int:
        async with self._db.transaction() as session:
            got_lock = await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": self._lock_id}
            )
            if not got_lock:
                return 0
            rows = await self._unpublished(session)
            await self._publish_rows(rows)
            await self._mark_published(session, rows)
        return len(rows)

    async def _run_once_single_writer(self) -> int:
        # SQLite serves one instance; reading and marking in two short transactions keeps the
        # write lock free while waiting for the broker.
        async with self._db.sessions() as session:
            rows = await self._unpublished(session)
        if not rows:
            return 0
        await self._publish_rows(rows)
        async with self._db.transaction() as session:
            await self._mark_published(session, rows)
        return len(rows)

    async def _unpublished(self, session: AsyncSession) -> list[Any]:
        result = await session.execute(
            select(self._table)
            .where(self._table.c.published_at.is_(None))
            .order_by(self._table.c.seq)
            .limit(self._batch_size)
        )
        return list(result)

    async def _publish_rows(self, rows: list[Any]) -> None:
        # Sent concurrently but in order; the idempotent producer keeps per-partition order.
        sends = [
            self._publish(row.topic, row.message_key.encode(), row.value, dict(row.headers))
            for row in rows
        ]
        await asyncio.gather(*sends)

    async def _mark_published(self, session: AsyncSession, rows: list[Any]) -> None:
        if not rows:
            return
        now = utc_now()
        await session.execute(
            update(self._table)
            .where(self._table.c.seq.in_([row.seq for row in rows]))
            .values(published_at=now)
        )
        self.published_total += len(rows)

    async def run_forever(self) -> None:
        while True:
            try:
                published = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay batch failed; will retry")
                published = 0
                await asyncio.sleep(self._poll_interval)
            if published == 0:
                await self._sleep_until_woken()

    async def _sleep_until_woken(self) -> None:
        await wait_woken(self._wake, self._poll_interval)
        self._wake.clear()

    async def delete_published_before(self, cutoff: datetime) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(self._table).where(
                    self._table.c.published_at.is_not(None), self._table.c.published_at < cutoff
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def apply_retention(self, retention: timedelta) -> int:
        return await self.delete_published_before(utc_now() - retention)
