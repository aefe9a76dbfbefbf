"""Retention (docs/reference/notify-anchor.md §1 "Data retention"): content, personalisation and
recipient dropped after the retention period, contacts a while after their case closed."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.notifications.domain.records import Status
from services.notifications.sender import Sender
from services.notifications.store import ContactStore, MessageStore


async def apply_retention(sender: Sender, now: datetime | None = None) -> int:
    """docs/reference/notify-anchor.md §1 "Data retention": after the retention period, drop
    content, personalisation and recipient; keep the metadata. A message still unsent by then
    is given up (technical-failure) first."""
    now = now or sender.clock()
    cutoff = now - timedelta(days=sender.settings.retention_days)
    async with sender.db.transaction() as session:
        store = MessageStore(session, sender.cipher)
        for message in await store.unfinished_created_before(cutoff):
            reason = "not sent within the retention period"
            if message.channel is None:
                await store.change(
                    message, {"failure_reason": reason}, status=Status.TECHNICAL_FAILURE
                )
            else:
                await sender.move(
                    session, message, Status.TECHNICAL_FAILURE, {"failure_reason": reason}, now
                )
        redacted = await store.redact_created_before(cutoff, now)
        await ContactStore(session, sender.cipher).delete_closed_before(
            now - timedelta(days=sender.settings.contact_retention_days_after_closure)
        )
    sender.messaging.committed()
    return redacted
