"""In-memory stores for reports' use cases (services/reports/store.py is the real one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from services.reports.domain import CaseFacts, SatisfactionResponse, ServiceChange
from services.reports.store import (
    Publications,
    PublishedReport,
    ReadModel,
    ReportsStores,
    ServiceChanges,
)


@dataclass
class FakeReadModel:
    """Holds domain rows directly: the merges are tested on their own (domain/merging.py)."""

    case_rows: list[CaseFacts] = field(default_factory=list)
    response_rows: list[SatisfactionResponse] = field(default_factory=list)

    async def cases(
        self,
        to_facts: Callable[[dict[str, Any], datetime | None], CaseFacts | None],
        *,
        received_before: datetime,
        organisation: str | None = None,
        sector: str | None = None,
    ) -> list[CaseFacts]:
        return [
            case
            for case in self.case_rows
            if case.received_at < received_before
            and (organisation is None or case.organisation == organisation)
            and (sector is None or case.sector.value == sector)
        ]

    async def responses(
        self, *, submitted_from: datetime, submitted_before: datetime
    ) -> list[SatisfactionResponse]:
        return [
            r for r in self.response_rows if submitted_from <= r.submitted_at < submitted_before
        ]


@dataclass
class FakePublications:
    reports: dict[str, tuple[PublishedReport, str]] = field(default_factory=dict)

    async def exists(self, kind: str, period_from: date, period_to: date) -> bool:
        return any(
            (r.kind, r.period_from, r.period_to) == (kind, period_from, period_to)
            for r, _ in self.reports.values()
        )

    async def add(self, report: PublishedReport, html: str) -> None:
        if report.report_id in self.reports:
            raise ValueError("the real store refuses a second report with this id")
        self.reports[report.report_id] = (report, html)

    async def listing(self) -> Sequence[PublishedReport]:
        return sorted(
            (r for r, _ in self.reports.values()),
            key=lambda r: (-r.period_from.toordinal(), r.kind),
        )

    async def html(self, report_id: str) -> str | None:
        found = self.reports.get(report_id)
        return None if found is None else found[1]


@dataclass
class FakeServiceChanges:
    changes: list[tuple[ServiceChange, datetime, str]] = field(default_factory=list)

    async def add(self, change: ServiceChange, *, recorded_at: datetime, recorded_by: str) -> None:
        self.changes.append((change, recorded_at, recorded_by))

    async def made_between(self, first_day: date, last_day: date) -> list[ServiceChange]:
        return sorted(
            (c for c, _, _ in self.changes if first_day <= c.made_on <= last_day),
            key=lambda c: (c.made_on, c.change_id),
        )


@dataclass
class FakeReportsStores:
    read_model: FakeReadModel = field(default_factory=FakeReadModel)
    publications: FakePublications = field(default_factory=FakePublications)
    service_changes: FakeServiceChanges = field(default_factory=FakeServiceChanges)

    def as_stores(self) -> ReportsStores:
        """The fakes where the use cases expect the real stores (they share their methods)."""
        return ReportsStores(
            cast(ReadModel, self.read_model),
            cast(Publications, self.publications),
            cast(ServiceChanges, self.service_changes),
        )
