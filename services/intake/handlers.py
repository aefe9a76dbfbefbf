"""Kafka subscribers: intake listens for case closures, to start the retention clock."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.store import ComplaintStore
from shared.crypto import Cipher
from shared.envelope import CloudEvent
from shared.events import CaseClosed

CASE_CLOSED = "redress.case.closed"


def on_case_event(cipher: Cipher):  # type: ignore[no-untyped-def]
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        closed = event.payload()
        assert isinstance(closed, CaseClosed)
        await ComplaintStore(session, cipher).mark_case_closed(closed.reference, closed.occurred_at)

    return handle
