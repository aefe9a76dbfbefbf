"""The access journal's rows: append one entry, read a case's chain in order, list the cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.domain.journal import JournalEntry, StaffRead
from services.casework.tables import access_journal, cases


class JournalStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last(self, reference: str) -> JournalEntry | None:
        row = (
            await self.session.execute(
                select(access_journal)
                .where(access_journal.c.reference == reference)
                .order_by(access_journal.c.seq.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _entry(row._mapping)

    async def append(self, entry: JournalEntry) -> None:
        read = entry.read
        await self.session.execute(
            access_journal.insert().values(
                reference=read.reference,
                seq=entry.seq,
                actor_id=read.actor_id,
                actor_name=read.actor_name,
                role=read.role,
                at=read.at,
                route=read.route,
                seen=list(read.seen),
                prev_hash=entry.prev_hash,
                entry_hash=entry.entry_hash,
            )
        )

    async def chain(self, reference: str) -> list[JournalEntry]:
        rows = await self.session.execute(
            select(access_journal)
            .where(access_journal.c.reference == reference)
            .order_by(access_journal.c.seq)
        )
        return [_entry(row._mapping) for row in rows]

    async def references(self) -> list[str]:
        rows = await self.session.scalars(
            select(access_journal.c.reference).distinct().order_by(access_journal.c.reference)
        )
        return list(rows)

    async def remove_with_case(self, reference: str) -> int:
        """Retention: a case's journal goes when the case goes, and not before (the database
        refuses the DELETE while the case row exists)."""
        still_there = await self.session.scalar(
            select(cases.c.reference).where(cases.c.reference == reference)
        )
        if still_there is not None:
            raise ValueError(f"case {reference} still exists; its journal is kept with it")
        result = await self.session.execute(
            delete(access_journal).where(access_journal.c.reference == reference)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _entry(row: Any) -> JournalEntry:
    read = StaffRead(
        reference=row["reference"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        role=row["role"],
        at=row["at"],
        route=row["route"],
        seen=tuple(row["seen"]),
    )
    return JournalEntry(row["seq"], read, row["prev_hash"], row["entry_hash"])
