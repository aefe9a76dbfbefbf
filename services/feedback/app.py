"""Feedback's composition root: the case-closed subscriber, the survey scheduler (complainants
through notifications, organisations by mail), consultations, HTTP routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from services.feedback import api, handlers
from services.feedback.settings import FeedbackSettings
from services.feedback.store import metadata
from shared.app import Service, serve
from shared.mail import Mailer, SmtpMailer
from shared.timekeeping import utc_now
from shared.topics import CASEWORK_CASES


def create_app(
    settings: FeedbackSettings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    mailer: Mailer | None = None,
) -> FastAPI:
    """`clock` is what the scheduler and the survey pages take as now (tests move it); `mailer`
    sends organisations' invitations (default: SMTP with the `SMTP_*` settings)."""
    settings = settings or FeedbackSettings()
    service = Service(
        "feedback", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    cipher = settings.cipher()

    service.messaging.consume(
        CASEWORK_CASES,
        handlers.on_case_closed(settings, cipher),
        consumer="closures",
        event_types={handlers.CASE_CLOSED},
    )
    scheduler = handlers.Scheduler(
        service.db,
        service.messaging,
        cipher,
        settings.rules,
        settings.feedback_public_url,
        mailer or SmtpMailer.from_settings(settings),
        settings.mail_from,
        settings.nation,
    )

    async def send_due_invitations() -> None:
        await scheduler.run_due_surveys(clock())

    service.every("survey-invitations", settings.scheduler_interval_seconds, send_due_invitations)

    app = service.http_app(
        routers=[api.router],
        title="Redress feedback",
        description="Post-closure satisfaction surveys: invitations, the survey page, "
        "anonymised results.",
    )
    app.state.clock = clock
    app.state.scheduler = scheduler
    app.state.desk = handlers.SurveyDesk(service.db, service.messaging, cipher)
    app.state.consultations = handlers.ConsultationDesk(
        service.db, service.messaging, settings.feedback_public_url
    )
    app.state.cipher = cipher
    return app


def main() -> None:
    settings = FeedbackSettings()
    serve(create_app(settings), settings.http_port)
