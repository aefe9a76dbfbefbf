"""Retention (docs/reference/notify-anchor.md §1 "Data retention"): content, personalisation and
recipient dropped after the retention period, contacts a while after their case closed.

It needs only the unit of work (the database, its stores and their cipher): the running
service's periodic job and the operator CLI's one-off (retention_job.py) build no sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications.domain.records import Status
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStores
from services.notifications.transitions import move
from shared.kit.work import UnitOfWork

NOT_SENT_IN_TIME = "not sent within the retention period"


@dataclass(frozen=True)
class RetentionPeriods:
    """NOTIFICATIONS_RETENTION_DAYS and NOTIFICATIONS_CONTACT_RETENTION_DAYS_AFTER_CLOSURE."""

    messages: timedelta
    contacts_after_closure: timedelta

    @classmethod
    def of(cls, settings: NotificationsSettings) -> RetentionPeriods:
        return cls(
            messages=timedelta(days=settings.retention_days),
            contacts_after_closure=timedelta(days=settings.contact_retention_days_after_closure),
        )


async def apply_retention(
    uow: UnitOfWork[NotificationsStores], periods: RetentionPeriods, now: datetime
) -> int:
    """docs/reference/notify-anchor.md §1 "Data retention": after the retention period, drop
    content, personalisation and recipient; keep the metadata. A message still unsent by then
    is given up (technical-failure) first. Returns how many messages were redacted."""
    cutoff = now - periods.messages
    async with uow.transaction() as work:
        store = work.stores.messages
        for message in await store.unfinished_created_before(cutoff):
            if message.channel is None:
                await store.change(
                    message, {"failure_reason": NOT_SENT_IN_TIME}, status=Status.TECHNICAL_FAILURE
                )
            else:
                values = {"failure_reason": NOT_SENT_IN_TIME}
                await move(work, message, Status.TECHNICAL_FAILURE, values, now)
        redacted = await store.redact_created_before(cutoff, now)
        await work.stores.contacts.delete_closed_before(now - periods.contacts_after_closure)
    return redacted
