"""A minimal service built only from `shared/`, to test the messaging guarantees on real parts."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.envelope import CloudEvent
from shared.messaging import Messaging
from shared.settings import ServiceSettings


class KitService:
    def __init__(self, database_url: str, bootstrap: str, service: str = "kit") -> None:
        self.metadata = MetaData()
        self.effects = Table(
            "effects",
            self.metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("event_id", String(64)),
            Column("subject", String(64)),
        )
        self.settings = ServiceSettings(
            kafka_bootstrap_servers=bootstrap,
            database_url=database_url,
            consumer_max_attempts=2,
            consumer_retry_backoff_seconds=0.05,
            outbox_poll_interval_seconds=0.1,
        )
        self.db = Database(database_url)
        self.messaging = Messaging(service, self.settings, self.db, self.metadata)

    async def create_schema(self) -> None:
        async with self.db.engine.begin() as connection:
            await connection.run_sync(self.metadata.create_all)

    async def record_effect(self, session: AsyncSession, event: CloudEvent) -> None:
        await session.execute(insert(self.effects).values(event_id=event.id, subject=event.subject))

    async def effect_count(self) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(self.effects)) or 0)

    async def close(self) -> None:
        await self.messaging.broker.stop()
        await self.db.dispose()
