"""Keeping personal data no longer than needed: the retention clock starts when the case closes
(casework's `redress.case.closed`), and a periodic job anonymises complaints, and forgets
incomplete email complaints nobody has added to, once their periods have passed
(docs/reference/domain-rules.md §5; the periods are settings)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from services.intake.settings import IntakeSettings
from services.intake.store import IntakeStores, intake_stores, metadata
from shared.db import Database
from shared.events import CaseClosed
from shared.kit.work import SqlUnitOfWork, UnitOfWork, Work
from shared.messaging import Messaging
from shared.migrations import upgrade_to_head

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Retention:
    def __init__(
        self,
        uow: UnitOfWork[IntakeStores],
        *,
        after_closure: timedelta,
        incomplete_email: timedelta,
    ) -> None:
        self.uow = uow
        self.after_closure = after_closure
        self.incomplete_email = incomplete_email

    async def note_case_closed(self, work: Work[IntakeStores], closed: CaseClosed) -> None:
        """Start the complaint's retention clock (inside the consumer's transaction)."""
        await work.stores.complaints.mark_case_closed(closed.reference, closed.occurred_at)

    async def apply(self, now: datetime) -> tuple[int, int]:
        """Anonymise complaints whose case closed a retention period ago, then forget incomplete
        email complaints untouched for theirs; returns how many of each."""
        async with self.uow.transaction() as work:
            anonymised = await work.stores.complaints.anonymise_closed_before(
                now - self.after_closure, now
            )
        async with self.uow.transaction() as work:
            forgotten = await work.stores.emails.delete_untouched_since(now - self.incomplete_email)
        return anonymised, forgotten


async def run_once(settings: IntakeSettings, now: datetime) -> tuple[int, int]:
    """The retention job once, outside the running service (the operator CLI's `retention run`):
    what the service's hourly job does, on the database of `settings`, migrated first."""
    await asyncio.to_thread(upgrade_to_head, settings.database_url, MIGRATIONS_DIR)
    db = Database(settings.database_url)
    try:
        uow = SqlUnitOfWork(
            db, Messaging("intake", settings, db, metadata), intake_stores(settings.cipher())
        )
        retention = Retention(
            uow,
            after_closure=timedelta(days=settings.retention_days_after_closure),
            incomplete_email=timedelta(days=settings.incomplete_email_retention_days),
        )
        return await retention.apply(now)
    finally:
        await db.dispose()
