"""Kafka subscribers: a complaint from intake opens a case; a failed delivery is noted on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.cases import Casework
from shared.envelope import CloudEvent
from shared.events import ComplaintReceived
from shared.messaging import PermanentEventError

COMPLAINT_RECEIVED = "redress.complaint.received"

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


def on_complaint(casework: Casework) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        complaint = event.payload()
        if not isinstance(complaint, ComplaintReceived):
            raise PermanentEventError(f"expected a complaint, got {event.type}")
        await casework.open_from_complaint(session, complaint)

    return handle
