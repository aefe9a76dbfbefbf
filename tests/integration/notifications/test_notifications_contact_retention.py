"""The complainant's contact details do not outlive their purpose: they are deleted a retention
period after the case closes, on the real broker and both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.notifications.store import ContactStore, case_closures
from shared.events import CaseClosed, ClosureReason, Stage
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    ORGANISATION,
    RunningNotifications,
    complaint_received,
    event_of,
    running_notifications,
)
from tests.kit.kafka import Publisher
from tests.kit.waiting import wait_until

RETENTION_DAYS = 30


async def _contact_exists(service: RunningNotifications, reference: str) -> bool:
    async with service.db.sessions() as session:
        return await ContactStore(session, service.cipher).get(reference) is not None


async def _closed_marked(service: RunningNotifications, reference: str) -> bool:
    async with service.db.sessions() as session:
        closed = await session.scalar(
            select(case_closures.c.closed_at).where(case_closures.c.reference == reference)
        )
    return closed is not None


async def test_contact_details_are_deleted_a_retention_period_after_the_case_closes(
    make_settings: MakeSettings, publisher: Publisher, unique: Callable[[str], str]
) -> None:
    closed_ref, open_ref = unique("CLOSED"), unique("OPEN")
    closed_at = datetime.now(UTC) - timedelta(days=1)
    closure = CaseClosed(
        reference=closed_ref,
        occurred_at=closed_at,
        organisation=ORGANISATION,
        stage=Stage.CLOSED,
        closure_reason=ClosureReason.WITHDRAWN,
        opened_at=closed_at - timedelta(days=10),
        working_days_open=7,
    )
    settings = make_settings(contact_retention_days_after_closure=RETENTION_DAYS)
    async with running_notifications(settings) as service:
        for reference in (closed_ref, open_ref):
            await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(CASEWORK_CASES, event_of(closure, "casework", closed_ref))
        await wait_until(lambda: _closed_marked(service, closed_ref))
        await wait_until(lambda: _contact_exists(service, open_ref))

        # Within the retention period nothing goes; after it, only the closed case's contact.
        await service.apply_retention(closed_at + timedelta(days=RETENTION_DAYS - 1))
        assert await _contact_exists(service, closed_ref)
        await service.apply_retention(closed_at + timedelta(days=RETENTION_DAYS + 1))
        assert not await _contact_exists(service, closed_ref)
        assert await _contact_exists(service, open_ref)
