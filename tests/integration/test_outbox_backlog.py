"""The outbox backlog /metrics reports: how many rows wait, and when the oldest was written, on
each database the services run on (published rows do not count)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, insert, update

from shared.db import Database
from shared.outbox import OutboxRelay, outbox_table


async def publish_nothing(topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> None:
    raise AssertionError("this test publishes nothing")


async def test_the_backlog_counts_unpublished_rows_and_dates_the_oldest(database_url: str) -> None:
    db = Database(database_url)
    metadata = MetaData()
    table = outbox_table(metadata)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    relay = OutboxRelay(
        db, table, publish_nothing, service="backlog", batch_size=10, poll_interval=1
    )
    try:
        assert await relay.backlog() == (0, None)
        written = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
        async with db.transaction() as session:
            for number in range(3):
                await session.execute(
                    insert(table).values(
                        event_id=f"event-{number}",
                        topic="redress.test.v1",
                        message_key="R-1",
                        ce_type="redress.test",
                        headers={},
                        value=b"{}",
                        created_at=written + timedelta(minutes=number),
                    )
                )
            # The oldest is published: the backlog starts at the next one.
            await session.execute(
                update(table).where(table.c.event_id == "event-0").values(published_at=written)
            )
        assert await relay.backlog() == (2, written + timedelta(minutes=1))
    finally:
        await db.dispose()
