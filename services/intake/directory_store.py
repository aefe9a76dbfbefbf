"""Intake's copy of the directory of organisations (shared/directory): read for matching and
suggestions, seeded from the repository's file, written by admins and managers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.tables import organisations
from shared.directory import Directory, Entry, Nation, Scheme
from shared.events import Sector


class DirectoryStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self) -> Directory:
        rows = (await self.session.execute(select(organisations))).all()
        return Directory(_entry(row) for row in rows)

    async def put(self, entry: Entry, *, by: str | None, now: datetime) -> bool:
        """Add or replace the entry; True when it is new."""
        values = _values(entry) | {"updated_at": now, "updated_by": by}
        found = await self.session.execute(
            select(organisations.c.organisation_id).where(
                organisations.c.organisation_id == entry.id
            )
        )
        if found.first() is None:
            await self.session.execute(organisations.insert().values(**values))
            return True
        await self.session.execute(
            organisations.update()
            .where(organisations.c.organisation_id == entry.id)
            .values(**values)
        )
        return False

    async def seed(self, entries: Iterable[Entry]) -> int:
        """Insert the entries whose ids are not there yet; the number inserted."""
        known = set((await self.session.execute(select(organisations.c.organisation_id))).scalars())
        new = [_values(entry) for entry in entries if entry.id not in known]
        if new:
            await self.session.execute(organisations.insert(), new)
        return len(new)


def _values(entry: Entry) -> dict[str, Any]:
    return {
        "organisation_id": entry.id,
        "name": entry.name,
        "sector": entry.sector.value,
        "nation": entry.nation.value,
        "scheme": entry.scheme.value,
        "aliases": list(entry.aliases),
    }


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.organisation_id,
        name=row.name,
        sector=Sector(row.sector),
        nation=Nation(row.nation),
        scheme=Scheme(row.scheme),
        aliases=tuple(row.aliases or ()),
    )
