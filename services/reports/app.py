"""Reports' composition root: the read-model consumers, the publication job, and HTTP routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from services.reports import api, consumers
from services.reports.changes import ServiceChangeLog
from services.reports.publishing import Publishing
from services.reports.settings import ReportsSettings
from services.reports.store import metadata, reports_stores
from shared.app import Service, serve
from shared.kit.work import SqlUnitOfWork
from shared.timekeeping import utc_now


def create_app(
    settings: ReportsSettings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    """`clock` is the time the figures and the publication job take as now (tests move it)."""
    settings = settings or ReportsSettings()
    service = Service(
        "reports", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    uow = SqlUnitOfWork(service.db, service.messaging, reports_stores)
    consumers.subscribe(service.messaging, uow)
    publishing = Publishing(uow, settings)

    async def publish_learning_report() -> None:
        await publishing.publish_previous_month(clock())

    service.every("learning-report", settings.publication_interval_seconds, publish_learning_report)

    app = service.http_app(
        routers=[api.router],
        title="Redress reports",
        description="Key performance indicators, the dashboard and published reports, "
        "built from events only.",
    )
    app.state.clock = clock
    app.state.publishing = publishing
    app.state.service_changes = ServiceChangeLog(uow)
    return app


def main() -> None:
    settings = ReportsSettings()
    serve(create_app(settings), settings.http_port)
