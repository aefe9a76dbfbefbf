"""Kafka subscribers: feedback listens for case closures, to open the case's surveys.

Thin: the inbox's transaction (shared/messaging.py) is joined, so the surveys are stored in the
same commit that records the event, and a redelivered closure opens nothing twice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.store import FeedbackStores
from services.feedback.surveys import SurveyOpening
from shared.envelope import CloudEvent
from shared.events import CaseClosed
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Handler, Messaging, PermanentEventError
from shared.topics import CASEWORK_CASES

CASE_CLOSED = "redress.case.closed"


def on_case_closed(opening: SurveyOpening, uow: SqlUnitOfWork[FeedbackStores]) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        try:
            closed = event.payload()
        except ValueError as error:
            raise PermanentEventError(str(error)) from error
        if not isinstance(closed, CaseClosed):
            raise PermanentEventError(f"{event.type} is not a case closure")
        await opening.case_closed(uow.joining(session), closed)

    return handle


def subscribe(
    messaging: Messaging, opening: SurveyOpening, uow: SqlUnitOfWork[FeedbackStores]
) -> None:
    messaging.consume(
        CASEWORK_CASES,
        on_case_closed(opening, uow),
        consumer="closures",
        event_types={CASE_CLOSED},
    )
