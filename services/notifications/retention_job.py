"""The retention job once, outside the running service (the operator CLI's `redress retention
run --service notifications`): `apply_retention`, which the service runs every
NOTIFICATIONS_RETENTION_SECONDS. It needs only the database and the cipher: no sender and no
provider is built, so nothing can be sent."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from services.notifications.retention import RetentionPeriods, apply_retention
from services.notifications.settings import NotificationsSettings
from services.notifications.store import metadata, notifications_stores
from shared.db import Database
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Messaging
from shared.migrations import upgrade_to_head

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


async def run_once(settings: NotificationsSettings, now: datetime) -> int:
    """Redact the messages past their retention period (and forget closed cases' contacts) in
    the database of `settings`, migrated first; returns how many messages were redacted. Status
    events it emits wait in the outbox for the running service's relay."""
    await asyncio.to_thread(upgrade_to_head, settings.database_url, MIGRATIONS_DIR)
    db = Database(settings.database_url)
    try:
        uow = SqlUnitOfWork(
            db,
            Messaging("notifications", settings, db, metadata),
            notifications_stores(settings.cipher()),
        )
        return await apply_retention(uow, RetentionPeriods.of(settings), now)
    finally:
        await db.dispose()
