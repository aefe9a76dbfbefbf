"""SMS delivery receipts: forward-only, so duplicates and late receipts change nothing."""

from __future__ import annotations

from typing import Any

from services.notifications.domain.delivery import ReceiptResult, scrub
from services.notifications.domain.records import Message, Status
from services.notifications.domain.statuses import can_move
from services.notifications.failures import fail
from services.notifications.providers import Receipt
from services.notifications.sender import Sender
from services.notifications.store import ContactStore, MessageStore


async def known_provider_id(sender: Sender, provider_message_id: str) -> bool:
    async with sender.db.transaction() as session:
        found = await MessageStore(session, sender.cipher).by_provider_id(provider_message_id)
    return found is not None


async def apply_receipt(sender: Sender, receipt: Receipt) -> ReceiptResult:
    """An SMS delivery receipt: forward-only, so duplicates and late receipts change nothing."""
    now = sender.clock()
    async with sender.db.transaction() as session:
        message = await _receipt_message(MessageStore(session, sender.cipher), receipt)
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
            moved = await sender.move(session, message, status, values, now)
        else:
            contact = await ContactStore(session, sender.cipher).get(message.reference)
            reason = scrub(receipt.reason or status.value, message.recipient or "")
            moved = await fail(
                sender, session, message, status, reason, now, contact, extra=found_id
            )
    sender.messaging.committed()
    return ReceiptResult.APPLIED if moved else ReceiptResult.IGNORED


async def _receipt_message(store: MessageStore, receipt: Receipt) -> Message | None:
    message = await store.by_provider_id(receipt.provider_message_id)
    if message is not None or not receipt.notification_id:
        return message
    candidate = await store.get(receipt.notification_id)
    if candidate is None or candidate.channel != "sms" or candidate.status is not Status.SENDING:
        return None
    return candidate
