"""Recording the changes staff made to the service against a theme ("you said, we did")."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from services.reports.domain import ReportingPeriod, ServiceChange
from services.reports.store import ReportsStores
from shared.kit.work import UnitOfWork


class ServiceChangeLog:
    def __init__(self, uow: UnitOfWork[ReportsStores]) -> None:
        self.uow = uow

    async def record(
        self, *, theme: str, description: str, made_on: date, at: datetime, by: str
    ) -> ServiceChange:
        """Record a change; the theme's spacing is normalised so it matches the tagged theme."""
        change = ServiceChange(
            change_id=str(uuid.uuid4()),
            theme=" ".join(theme.split()),
            description=description.strip(),
            made_on=made_on,
        )
        async with self.uow.transaction() as work:
            await work.stores.service_changes.add(change, recorded_at=at, recorded_by=by)
        return change

    async def made_in(self, period: ReportingPeriod) -> list[ServiceChange]:
        async with self.uow.reading() as stores:
            return await stores.service_changes.made_between(period.start, period.end)
