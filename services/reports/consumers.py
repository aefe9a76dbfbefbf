"""Kafka subscribers: reports builds its read model from three public topics, and only from them.

Each subscriber is thin: the inbox's transaction (shared/messaging.py) is joined, and the event is
applied by the projection (projection.py) in that same commit, so a redelivered event is applied
once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports import projection
from services.reports.store import ReadModel, ReportsStores
from shared.envelope import CloudEvent
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Handler, Messaging
from shared.topics import CASEWORK_CASES, FEEDBACK_RESPONSES, NOTIFICATION_DELIVERIES

Apply = Callable[[ReadModel, CloudEvent], Awaitable[None]]


def _subscriber(uow: SqlUnitOfWork[ReportsStores], apply: Apply) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        await apply(uow.joining(session).stores.read_model, event)

    return handle


def subscribe(messaging: Messaging, uow: SqlUnitOfWork[ReportsStores]) -> None:
    """The case events, acknowledgement deliveries and survey answers reports counts."""
    messaging.consume(
        CASEWORK_CASES,
        _subscriber(uow, projection.apply_case_event),
        consumer="cases",
        event_types=set(projection.CASE_EVENTS),
    )
    messaging.consume(
        NOTIFICATION_DELIVERIES,
        _subscriber(uow, projection.apply_delivery),
        consumer="deliveries",
        event_types=set(projection.ACKNOWLEDGEMENT_EVENT_TYPES),
    )
    messaging.consume(
        FEEDBACK_RESPONSES,
        _subscriber(uow, projection.apply_feedback),
        consumer="feedback",
        event_types={projection.FEEDBACK_SUBMITTED},
    )
