"""Intake's composition root: settings, database, Kafka, HTTP routes, and jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from services.intake import api, handlers
from services.intake.domain import IntakeRules
from services.intake.settings import IntakeSettings
from services.intake.store import ComplaintStore, metadata
from services.intake.submissions import ComplaintIntake
from shared.app import Service, serve
from shared.crypto import Cipher
from shared.topics import CASEWORK_CASES

# Retention runs hourly: anonymisation is due on a scale of days, not minutes.
RETENTION_INTERVAL_SECONDS = 3600.0


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    service = Service(
        "intake", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    cipher = Cipher(settings.encryption_keys.get_secret_value())
    rules = IntakeRules(parliament_dissolved=settings.parliament_dissolved)

    service.messaging.consume(
        CASEWORK_CASES,
        handlers.on_case_event(cipher),
        consumer="retention",
        event_types={handlers.CASE_CLOSED},
    )

    async def anonymise_after_retention() -> None:
        now = datetime.now(UTC)
        async with service.db.transaction() as session:
            await ComplaintStore(session, cipher).anonymise_closed_before(
                now - timedelta(days=settings.retention_days_after_closure), now
            )

    service.every("retention", RETENTION_INTERVAL_SECONDS, anonymise_after_retention)

    app = service.http_app(
        routers=[api.router],
        title="Redress intake",
        description="Complaints in: the form, the API, eligibility pre-checks and guidance.",
    )
    app.state.intake = ComplaintIntake(service.db, service.messaging, cipher, rules)
    app.state.rules = rules
    app.state.clock = lambda: datetime.now(UTC)
    return app


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings.http_port)
