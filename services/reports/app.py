"""Reports' composition root: the read-model consumers, the publication job, and HTTP routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from services.reports import api, handlers
from services.reports.settings import ReportsSettings
from services.reports.store import metadata
from shared.app import Service, serve
from shared.topics import CASEWORK_CASES, FEEDBACK_RESPONSES, NOTIFICATION_DELIVERIES


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: ReportsSettings | None = None, *, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    """`clock` is the time the figures and the publication job take as now (tests move it)."""
    settings = settings or ReportsSettings()
    service = Service(
        "reports", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    service.messaging.consume(
        CASEWORK_CASES,
        handlers.on_case_event,
        consumer="cases",
        event_types=set(handlers.CASE_EVENTS),
    )
    service.messaging.consume(
        NOTIFICATION_DELIVERIES,
        handlers.on_delivery,
        consumer="deliveries",
        event_types=set(handlers.ACKNOWLEDGEMENT_EVENT_TYPES),
    )
    service.messaging.consume(
        FEEDBACK_RESPONSES,
        handlers.on_feedback,
        consumer="feedback",
        event_types={handlers.FEEDBACK_SUBMITTED},
    )

    async def publish_learning_report() -> None:
        await handlers.publish_previous_month(service.db, service.messaging, settings, clock())

    service.every("learning-report", settings.publication_interval_seconds, publish_learning_report)

    app = service.http_app(
        routers=[api.router],
        title="Redress reports",
        description="Key performance indicators, the dashboard and published reports, "
        "built from events only.",
    )
    app.state.clock = clock
    return app


def main() -> None:
    settings = ReportsSettings()
    serve(create_app(settings), settings.http_port)
