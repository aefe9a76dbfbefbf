"""Reading the figures (KPIs, the dashboard, published reports) and publishing the monthly
"learning from complaints" report. The API and the publication job come through here; neither
opens a session itself (the unit of work does, shared/kit/work.py)."""

from __future__ import annotations

import logging
import uuid
from calendar import month_name
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from services.reports.domain import (
    SUPPRESSION_THRESHOLD,
    TREND_MONTHS,
    CaseFacts,
    Kpis,
    Publisher,
    ReportingPeriod,
    SatisfactionResponse,
    ServiceChange,
    WorkingDaysBetween,
    breakdown,
    compliance_by_organisation,
    compute_kpis,
    dashboard_charts,
    last_months,
    learning_report,
    monthly_figures,
    months_between,
    suppress,
    trend_charts,
    uk_date,
)
from services.reports.domain.merging import to_case_facts
from services.reports.settings import ReportsSettings
from services.reports.store import PublishedReport, ReportsStores, reports_stores
from shared.db import Database
from shared.events import ReportPublished, Sector
from shared.kit.pages import html_templates
from shared.kit.work import SqlUnitOfWork, UnitOfWork
from shared.messaging import Messaging
from shared.topics import REPORT_PUBLICATIONS
from shared.working_days import working_days_between

log = logging.getLogger("redress.reports")

LEARNING_REPORT = "learning_from_complaints"
# Fixed namespace: a month's report has the same id in every database, so publishing is
# idempotent even across a rebuild or a second instance.
REPORT_ID_NAMESPACE = uuid.UUID("6f1c2a57-5b0e-4d5f-9a86-0f3c7f2d9e41")
# The read model is filtered by UTC instant, the figures by UK date, which can be a day off: the
# rows read reach this far beyond the period on each side.
UK_DATE_MARGIN = timedelta(days=2)

TEMPLATES = html_templates(Path(__file__).parent / "templates")


def working_days_for(settings: ReportsSettings) -> WorkingDaysBetween:
    return partial(working_days_between, nation=settings.nation)


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class ReadModelSlice:
    cases: list[CaseFacts]
    responses: list[SatisfactionResponse]
    service_changes: list[ServiceChange] = field(default_factory=list)


async def read_model_for(
    stores: ReportsStores,
    period: ReportingPeriod,
    *,
    organisation: str | None = None,
    sector: str | None = None,
) -> ReadModelSlice:
    """Every row the figures for `period` can depend on."""
    cases = await stores.read_model.cases(
        to_case_facts,
        received_before=_utc_midnight(period.end) + UK_DATE_MARGIN,
        organisation=organisation,
        sector=sector,
    )
    responses = await stores.read_model.responses(
        submitted_from=_utc_midnight(period.start) - UK_DATE_MARGIN,
        submitted_before=_utc_midnight(period.end) + UK_DATE_MARGIN,
    )
    changes = await stores.service_changes.made_between(period.start, period.end)
    return ReadModelSlice(cases, responses, changes)


def previous_month(today: date) -> ReportingPeriod:
    last_day = today.replace(day=1) - timedelta(days=1)
    return ReportingPeriod(last_day.replace(day=1), last_day)


def report_id_for(kind: str, period: ReportingPeriod) -> str:
    return str(uuid.uuid5(REPORT_ID_NAMESPACE, f"{kind}:{period.start}:{period.end}"))


def render_learning_report(
    slice_: ReadModelSlice,
    period: ReportingPeriod,
    *,
    working_days: WorkingDaysBetween,
    today: date,
) -> str:
    report = learning_report(
        slice_.cases,
        slice_.responses,
        period,
        working_days_between=working_days,
        today=today,
        service_changes=slice_.service_changes,
    )
    return TEMPLATES.get_template("learning_report.html").render(
        report=report, published=True, threshold=SUPPRESSION_THRESHOLD
    )


class Publishing:
    """The figures as staff and the public read them, and the monthly publication."""

    def __init__(self, uow: UnitOfWork[ReportsStores], settings: ReportsSettings) -> None:
        self.uow = uow
        self.settings = settings
        self.working_days = working_days_for(settings)

    async def kpis(
        self,
        period: ReportingPeriod,
        *,
        organisation: str | None,
        sector: Sector | None,
        today: date,
    ) -> Kpis:
        async with self.uow.reading() as stores:
            slice_ = await read_model_for(
                stores, period, organisation=organisation, sector=sector.value if sector else None
            )
        return compute_kpis(
            slice_.cases,
            slice_.responses,
            period_from=period.start,
            period_to=period.end,
            organisation=organisation,
            sector=sector,
            working_days_between=self.working_days,
            today=today,
        )

    async def monthly(
        self, period: ReportingPeriod, *, today: date, publisher: Publisher
    ) -> list[dict[str, object]]:
        """The headline figures of each calendar month in the period (`publisher` suppresses)."""
        async with self.uow.reading() as stores:
            slice_ = await read_model_for(stores, period)
        months = monthly_figures(
            slice_.cases,
            slice_.responses,
            months_between(period.start, period.end),
            working_days_between=self.working_days,
            today=today,
        )
        return [dict(month.published(publisher)) for month in months]

    async def dashboard_page(
        self,
        period: ReportingPeriod,
        *,
        organisation: str | None,
        sector: Sector | None,
        today: date,
    ) -> str:
        """The public dashboard: published (suppressed) figures only. The trends are the
        TREND_MONTHS months ending with the period's; the breakdowns are for the period."""
        kpis = await self.kpis(period, organisation=organisation, sector=sector, today=today)
        figures = suppress(kpis)
        publisher = Publisher()
        months = await self.monthly(
            last_months(period.end, TREND_MONTHS), today=today, publisher=publisher
        )
        async with self.uow.reading() as stores:
            slice_ = await read_model_for(
                stores, period, organisation=organisation, sector=sector.value if sector else None
            )
        learning = [r for r in await self.reports() if r.kind == LEARNING_REPORT]
        return TEMPLATES.get_template("dashboard.html").render(
            figures=figures,
            charts=dashboard_charts(figures),
            months=months,
            trends=trend_charts(months),
            by_sector=[
                row.published(publisher) for row in breakdown(slice_.cases, period, by_sector=True)
            ],
            by_organisation=[
                row.published(publisher) for row in breakdown(slice_.cases, period, by_sector=False)
            ],
            compliance=compliance_by_organisation(slice_.cases, period, today, publisher),
            learning_reports=learning,
            threshold=publisher.threshold,
        )

    async def reports(self) -> Sequence[PublishedReport]:
        async with self.uow.reading() as stores:
            return await stores.publications.listing()

    async def report_html(self, report_id: str) -> str | None:
        async with self.uow.reading() as stores:
            return await stores.publications.html(report_id)

    async def publish_previous_month(self, now: datetime) -> str | None:
        """Publish last month's learning report once; the id of the report published, or None."""
        today = uk_date(now)
        if today.day <= self.settings.publication_delay_days:
            return None
        period = previous_month(today)
        report_id = report_id_for(LEARNING_REPORT, period)
        try:
            async with self.uow.transaction() as work:
                publications = work.stores.publications
                if await publications.exists(LEARNING_REPORT, period.start, period.end):
                    return None
                slice_ = await read_model_for(work.stores, period)
                html = render_learning_report(
                    slice_, period, working_days=self.working_days, today=today
                )
                title = (
                    f"Learning from complaints: {month_name[period.start.month]} "
                    f"{period.start.year}"
                )
                await publications.add(
                    PublishedReport(
                        report_id, LEARNING_REPORT, title, period.start, period.end, now
                    ),
                    html,
                )
                await work.emit(
                    REPORT_PUBLICATIONS,
                    ReportPublished(
                        report_id=report_id,
                        title=title,
                        period_from=period.start,
                        period_to=period.end,
                        url=f"{self.settings.reports_public_url.rstrip('/')}/reports/{report_id}",
                        published_at=now,
                    ),
                    subject=report_id,
                )
        except IntegrityError:
            # Another instance published it between our check and our insert: nothing to do.
            return None
        log.info("published report %s", report_id, extra={"report_id": report_id})
        return report_id


async def publish_previous_month(
    db: Database, messaging: Messaging, settings: ReportsSettings, now: datetime
) -> str | None:
    """`Publishing.publish_previous_month` on the service's own database and outbox."""
    uow = SqlUnitOfWork(db, messaging, reports_stores)
    return await Publishing(uow, settings).publish_previous_month(now)
