"""Intake's composition root: settings, database, Kafka, HTTP routes, and jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from services.intake import api, handlers
from services.intake.domain import IntakeRules
from services.intake.email_intake import EmailIntake
from services.intake.email_listener import EmailListener
from services.intake.settings import IntakeSettings
from services.intake.store import ComplaintStore, metadata
from services.intake.submissions import ComplaintIntake
from shared.app import Service, serve
from shared.crypto import Cipher
from shared.mail import SmtpMailer
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

    intake = ComplaintIntake(service.db, service.messaging, cipher, rules)
    email_intake = EmailIntake(
        service.db,
        cipher,
        intake,
        SmtpMailer.from_settings(settings),
        mail_from=settings.mail_from,
        max_replies=settings.email_max_replies,
        clock=lambda: app.state.clock(),
    )

    async def anonymise_after_retention() -> None:
        now = datetime.now(UTC)
        async with service.db.transaction() as session:
            await ComplaintStore(session, cipher).anonymise_closed_before(
                now - timedelta(days=settings.retention_days_after_closure), now
            )
        await email_intake.forget_incomplete_before(
            now - timedelta(days=settings.incomplete_email_retention_days)
        )

    service.every("retention", RETENTION_INTERVAL_SECONDS, anonymise_after_retention)
    service.every(
        "email-replies", settings.email_reply_retry_seconds, email_intake.send_pending_replies
    )
    if settings.smtp_listen_port:
        listener = EmailListener(
            host=settings.smtp_listen_host,
            port=settings.smtp_listen_port,
            complaints_address=settings.complaints_address,
            receive=email_intake.receive,
            max_bytes=settings.email_max_bytes,
        )
        service.on_startup.append(listener.start)
        service.on_shutdown.append(listener.stop)

    app = service.http_app(
        routers=[api.router],
        title="Redress intake",
        description="Complaints in: the form, the API, eligibility pre-checks and guidance.",
    )
    app.state.intake = intake
    app.state.email_intake = email_intake
    app.state.rules = rules
    return app


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings.http_port)
