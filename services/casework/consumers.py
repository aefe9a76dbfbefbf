"""Kafka subscribers: a complaint from intake opens a case; a failed delivery is noted on it.

Each joins the inbox's transaction (shared/messaging.py) through the unit of work, so the case
and the inbox row commit together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.cases import Casework
from services.casework.stores import CaseworkStores
from shared.envelope import CloudEvent
from shared.events import ComplaintReceived, NotificationStatusChanged
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Handler, PermanentEventError

COMPLAINT_RECEIVED = "redress.complaint.received"
NOTIFICATION_FAILED = "redress.notification.failed"


def on_complaint(casework: Casework, uow: SqlUnitOfWork[CaseworkStores]) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        complaint = event.payload()
        if not isinstance(complaint, ComplaintReceived):
            raise PermanentEventError(f"expected a complaint, got {event.type}")
        await casework.open_from_complaint(uow.joining(session), complaint)

    return handle


def on_delivery_failed(casework: Casework, uow: SqlUnitOfWork[CaseworkStores]) -> Handler:
    """A message that will not reach the complainant: the caseworker must make contact another
    way. Temporary failures are still being retried by notifications, so they are not noted."""

    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        status = event.payload()
        if not isinstance(status, NotificationStatusChanged):
            raise PermanentEventError(f"expected a delivery status, got {event.type}")
        await casework.note_failed_delivery(uow.joining(session), status)

    return handle
