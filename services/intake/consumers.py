"""Kafka subscribers: intake listens for case closures, to start the retention clock."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.retention import Retention
from services.intake.store import IntakeStores
from shared.envelope import CloudEvent
from shared.events import CaseClosed
from shared.kit.events import payload_as
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Handler

CASE_CLOSED = "redress.case.closed"


def on_case_closed(retention: Retention, uow: SqlUnitOfWork[IntakeStores]) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        await retention.note_case_closed(uow.joining(session), payload_as(event, CaseClosed))

    return handle
