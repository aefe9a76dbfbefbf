"""The staff's list of the messages about one case (api.py's `GET /v1/messages`)."""

from __future__ import annotations

from services.notifications.domain.records import Message
from services.notifications.store import NotificationsStores
from shared.kit.work import UnitOfWork


async def messages_about(uow: UnitOfWork[NotificationsStores], reference: str) -> list[Message]:
    """Every message about `reference`, oldest first."""
    async with uow.transaction() as work:
        return await work.stores.messages.for_reference(reference)
