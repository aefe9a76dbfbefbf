"""The directory of organisations (shared/directory) as intake serves it: suggestions for the
form, one entry for casework's staff, seeding at start-up, and admins' corrections.

Everything here is an official name from the directory, never what a complainant typed, so the
answers may be public (the form's suggestions need no sign-in).
"""

from __future__ import annotations

from datetime import datetime

from services.intake.store import IntakeStores
from shared.directory import Directory, Entry, read_seed
from shared.kit.work import UnitOfWork


class OrganisationDirectory:
    def __init__(self, uow: UnitOfWork[IntakeStores]) -> None:
        self.uow = uow

    async def current(self) -> Directory:
        async with self.uow.reading() as stores:
            return await stores.directory.load()

    async def suggest(self, query: str) -> list[Entry]:
        return (await self.current()).suggest(query)

    async def get(self, entry_id: str) -> Entry | None:
        return (await self.current()).get(entry_id)

    async def put(self, entry: Entry, *, by: str, now: datetime) -> bool:
        """Add or correct an entry (admins and managers); True when it is new."""
        async with self.uow.transaction() as work:
            return await work.stores.directory.put(entry, by=by, now=now)

    async def seed(self) -> int:
        """Add the repository's seed entries the database lacks (an admin's edits stay)."""
        async with self.uow.transaction() as work:
            return await work.stores.directory.seed(read_seed())
