"""Idempotent consumer: the `ce_id` of every applied event is recorded with its effect.

`claim(session, table, consumer, event_id)` inserts the id inside the handler's transaction; if the
id is already there the event was applied before and the handler does nothing.
"""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UtcDateTime
from shared.timekeeping import utc_now


def inbox_table(metadata: MetaData) -> Table:
    if "inbox" in metadata.tables:
        return metadata.tables["inbox"]
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(255), nullable=False),
        Column("processed_at", UtcDateTime(), nullable=False),
    )


async def claim(
    session: AsyncSession, table: Table, consumer: str, event_id: str, event_type: str
) -> bool:
    """True if this event is new for this consumer (and is now recorded), False if seen before.

    A select-then-insert inside the transaction: SQLite's BEGIN IMMEDIATE serialises writers, and
    on PostgreSQL the primary key makes a concurrent duplicate fail its commit, so it is retried and
    then seen as applied.
    """
    seen = await session.scalar(
        select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id == event_id)
    )
    if seen is not None:
        return False
    await session.execute(
        table.insert().values(
            consumer=consumer,
            event_id=event_id,
            event_type=event_type,
            processed_at=utc_now(),
        )
    )
    return True
