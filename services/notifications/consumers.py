"""Kafka subscribers, thin: each checks the event's type and hands its payload to the use case
(incoming.py), inside the transaction that also records the event in the inbox."""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain.routing import HANDLED_EVENT_TYPES
from services.notifications.incoming import CASE_CLOSED, Incoming
from services.notifications.store import NotificationsStores
from shared.envelope import CloudEvent
from shared.events import ComplaintReceived, NotificationRequested
from shared.kit.work import SqlUnitOfWork
from shared.messaging import PermanentEventError

__all__ = [
    "CASE_CLOSED",
    "CASE_EVENT_TYPES",
    "COMPLAINT_RECEIVED",
    "NOTIFICATION_REQUESTED",
    "Handlers",
]

COMPLAINT_RECEIVED: Final = "redress.complaint.received"
NOTIFICATION_REQUESTED: Final = "redress.notification.requested"
# Routed and knowingly silent types alike: a silent one is still recorded as handled.
CASE_EVENT_TYPES: Final = HANDLED_EVENT_TYPES


class Handlers:
    def __init__(self, uow: SqlUnitOfWork[NotificationsStores], incoming: Incoming) -> None:
        self.uow = uow
        self.incoming = incoming

    async def on_complaint(self, session: AsyncSession, event: CloudEvent) -> None:
        """`redress.complaint.received`: remember how to reach the complainant."""
        complaint = event.payload()
        if not isinstance(complaint, ComplaintReceived):
            raise PermanentEventError(f"expected a complaint, got {event.type}")
        await self.incoming.complaint_received(self.uow.joining(session), complaint)

    async def on_case_event(self, session: AsyncSession, event: CloudEvent) -> None:
        """A public case event: one message per template the routing picks."""
        await self.incoming.case_event(
            self.uow.joining(session),
            event_id=event.id,
            event_type=event.type,
            subject=event.subject,
            data=event.data,
            payload=event.payload,
        )

    async def on_request(self, session: AsyncSession, event: CloudEvent) -> None:
        """`redress.notification.requested`: a command from another service."""
        request = event.payload()
        if not isinstance(request, NotificationRequested):
            raise PermanentEventError(f"expected a notification request, got {event.type}")
        await self.incoming.requested(self.uow.joining(session), request)
