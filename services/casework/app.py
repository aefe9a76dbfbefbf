"""Casework's composition root: settings, database, Kafka, routes, and the deadline scheduler."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from services.casework import api, handlers
from services.casework.cases import Casework
from services.casework.settings import CaseworkSettings
from services.casework.store import CaseStore, metadata
from shared.app import Service, serve
from shared.crypto import Cipher
from shared.timekeeping import uk_date
from shared.topics import INTAKE_COMPLAINTS, NOTIFICATION_DELIVERIES


def parse_roster(text: str) -> list[tuple[str, str, list[str]]]:
    entries = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        caseworker_id, name, sectors = item.split(":")
        entries.append((caseworker_id, name, sectors.split("+")))
    return entries


def create_app(settings: CaseworkSettings | None = None) -> FastAPI:
    settings = settings or CaseworkSettings()
    service = Service(
        "casework", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    cipher = Cipher(settings.encryption_keys.get_secret_value())
    casework = Casework(service.db, service.messaging, cipher, settings.rules())

    service.messaging.consume(
        INTAKE_COMPLAINTS,
        handlers.on_complaint(casework),
        consumer="cases",
        event_types={handlers.COMPLAINT_RECEIVED},
    )
    service.messaging.consume(
        NOTIFICATION_DELIVERIES,
        handlers.on_delivery_failed(casework),
        consumer="deliveries",
        event_types={handlers.NOTIFICATION_FAILED},
    )

    async def seed_roster() -> None:
        async with service.db.transaction() as session:
            store = CaseStore(session, cipher)
            if await store.roster_is_empty():
                for caseworker_id, name, sectors in parse_roster(settings.initial_roster):
                    await store.put_caseworker(caseworker_id, name, sectors, active=True)

    async def report_missed_deadlines() -> None:
        await casework.report_missed_deadlines(uk_date(datetime.now(UTC)))

    service.on_startup.append(seed_roster)
    service.every("deadlines", settings.deadline_check_seconds, report_missed_deadlines)

    app = service.http_app(
        routers=[api.router],
        title="Redress casework",
        description="The case lifecycle, deadlines, tracking for complainants, and the staff API.",
    )
    app.state.casework = casework
    return app


def main() -> None:
    settings = CaseworkSettings()
    serve(create_app(settings), settings.http_port)
