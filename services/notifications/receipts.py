"""SMS delivery receipts: forward-only, so duplicates and late receipts change nothing."""

from __future__ import annotations

from typing import Any

from services.notifications.domain.delivery import ReceiptResult, scrub
from services.notifications.domain.records import Message, Status
from services.notifications.domain.statuses import can_move
from services.notifications.failures import Retries, fail
from services.notifications.providers import Receipt
from services.notifications.store import MessageStore, NotificationsStores
from services.notifications.transitions import move
from shared.kit.work import UnitOfWork
from shared.timekeeping import Clock


class Receipts:
    def __init__(
        self, uow: UnitOfWork[NotificationsStores], retries: Retries, clock: Clock
    ) -> None:
        self.uow = uow
        self.retries = retries
        self.clock = clock

    async def known_provider_id(self, provider_message_id: str) -> bool:
        async with self.uow.transaction() as work:
            found = await work.stores.messages.by_provider_id(provider_message_id)
        return found is not None

    async def apply(self, receipt: Receipt) -> ReceiptResult:
        """An SMS delivery receipt: forward-only, so duplicates and late receipts change
        nothing."""
        now = self.clock()
        async with self.uow.transaction() as work:
            message = await _receipt_message(work.stores.messages, receipt)
            if message is None:
                return ReceiptResult.UNKNOWN
            status = Status(receipt.status)
            if not can_move(message.status, status) or message.status is not Status.SENDING:
                return ReceiptResult.IGNORED
            # A receipt can overtake our own record of the provider's id (it is posted as soon
            # as the provider takes the text); record the id with the outcome.
            found_id: dict[str, Any] = (
                {}
                if message.provider_message_id == receipt.provider_message_id
                else {"provider_message_id": receipt.provider_message_id, "sent_at": now}
            )
            if status is Status.DELIVERED:
                values = {"delivered_at": now, **found_id}
                moved = await move(work, message, status, values, now)
            else:
                contact = await work.stores.contacts.get(message.reference)
                reason = scrub(receipt.reason or status.value, message.recipient or "")
                moved = await fail(
                    self.retries, work, message, status, reason, now, contact, extra=found_id
                )
        return ReceiptResult.APPLIED if moved else ReceiptResult.IGNORED


async def _receipt_message(store: MessageStore, receipt: Receipt) -> Message | None:
    message = await store.by_provider_id(receipt.provider_message_id)
    if message is not None or not receipt.notification_id:
        return message
    candidate = await store.get(receipt.notification_id)
    if candidate is None or candidate.channel != "sms" or candidate.status is not Status.SENDING:
        return None
    return candidate
