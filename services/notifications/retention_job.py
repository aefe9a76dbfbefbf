"""The retention job once, outside the running service (the operator CLI's `redress retention
run --service notifications`): the sender's `apply_retention`, which the service runs every
NOTIFICATIONS_RETENTION_SECONDS; nothing is sent, so no provider is ever called."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import httpx

from services.notifications.app import SMS_HTTP_TIMEOUT_SECONDS, SmsProviderConfig
from services.notifications.domain import TEMPLATES_DIRECTORY, TemplateCatalogue
from services.notifications.providers import EmailSender, make_sms_provider
from services.notifications.retention import apply_retention
from services.notifications.sender import Sender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import metadata
from shared.db import Database
from shared.messaging import Messaging
from shared.migrations import upgrade_to_head

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


async def run_once(settings: NotificationsSettings, now: datetime) -> int:
    """Redact the messages past their retention period (and forget closed cases' contacts) in
    the database of `settings`, migrated first; returns how many messages were redacted. Status
    events it emits wait in the outbox for the running service's relay."""
    await asyncio.to_thread(upgrade_to_head, settings.database_url, MIGRATIONS_DIR)
    db = Database(settings.database_url)
    async with httpx.AsyncClient(timeout=SMS_HTTP_TIMEOUT_SECONDS) as http_client:
        try:
            sender = Sender(
                db=db,
                messaging=Messaging("notifications", settings, db, metadata),
                settings=settings,
                cipher=settings.cipher(),
                catalogue=TemplateCatalogue.load(TEMPLATES_DIRECTORY),
                email=EmailSender(settings.smtp_host, settings.smtp_port, tls=settings.smtp_tls),
                sms=make_sms_provider(SmsProviderConfig.of(settings), http_client),
            )
            return await apply_retention(sender, now)
        finally:
            await db.dispose()
