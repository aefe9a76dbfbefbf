"""Notifications' record of its running sender instances: one heartbeat row each.

A claim (`messages.claimed_by`) names the instance that made it; this table says whether that
instance is still alive, so a dead instance's unfinished sends can be recovered at once while a
live one's are left alone (docs/architecture.md "Sending: at most one resend").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Select, String, Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.tables import INSTANCE_ID_LENGTH, metadata
from shared.db import UtcDateTime
from shared.kit.tables import rowcount
from shared.kit.tables import upsert_statement as dialect_insert

SLOT_LENGTH = 100

sender_instances = Table(
    "sender_instances",
    metadata,
    Column("instance_id", String(INSTANCE_ID_LENGTH), primary_key=True),
    # NOTIFICATIONS_INSTANCE_SLOT: at most one live process per slot, so a newcomer in a slot
    # knows its predecessor there is gone.
    Column("slot", String(SLOT_LENGTH), nullable=True, index=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    # Set on an orderly stop: its claims need no timeout to be recovered.
    Column("stopped_at", UtcDateTime(), nullable=True),
)


class InstanceStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def beat(self, instance_id: str, slot: str | None, now: datetime) -> None:
        """This instance is alive at `now` (registers it on the first beat)."""
        statement = dialect_insert(self.session, sender_instances).values(
            instance_id=instance_id, slot=slot, started_at=now, last_seen_at=now
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[sender_instances.c.instance_id], set_={"last_seen_at": now}
            )
        )

    async def stopped(self, instance_id: str, now: datetime) -> None:
        await self.session.execute(
            update(sender_instances)
            .where(sender_instances.c.instance_id == instance_id)
            .values(stopped_at=now)
        )

    def gone(self, me: str, slot: str | None, silent_since: datetime) -> Select[tuple[str]]:
        """The ids of instances other than `me` that are gone: stopped, silent since
        `silent_since`, or an earlier holder of my slot."""
        signs_of_death = [
            sender_instances.c.stopped_at.is_not(None),
            sender_instances.c.last_seen_at < silent_since,
        ]
        if slot is not None:
            signs_of_death.append(sender_instances.c.slot == slot)
        return select(sender_instances.c.instance_id).where(
            sender_instances.c.instance_id != me, or_(*signs_of_death)
        )

    async def forget_silent_since(self, cutoff: datetime) -> int:
        """Drop the rows of instances silent since `cutoff` (their claims went to the claim
        timeout sweep long before), so the table stays as small as the fleet."""
        result = await self.session.execute(
            delete(sender_instances).where(sender_instances.c.last_seen_at < cutoff)
        )
        return rowcount(result)
