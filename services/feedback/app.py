"""Feedback's composition root: the case-closed subscriber, the survey scheduler (complainants
through notifications, organisations by mail), consultations, HTTP routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.feedback import api, consumers, pages
from services.feedback.consultations import ConsultationDesk
from services.feedback.contacts import OrganisationContacts
from services.feedback.invitations import Scheduler
from services.feedback.settings import FeedbackSettings
from services.feedback.store import feedback_stores
from services.feedback.summary import FeedbackSummary
from services.feedback.surveys import SurveyDesk, SurveyOpening
from services.feedback.tables import metadata
from shared.app import Service, serve
from shared.kit.work import SqlUnitOfWork
from shared.mail import Mailer, SmtpMailer
from shared.timekeeping import utc_now
from shared.working_days import add_working_days


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
    uow = SqlUnitOfWork(service.db, service.messaging, feedback_stores(settings.cipher()))
    opening = SurveyOpening(settings.rules, partial(add_working_days, nation=settings.nation))
    consumers.subscribe(service.messaging, opening, uow)
    scheduler = Scheduler(
        uow,
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
        routers=[pages.router, api.router],
        title="Redress feedback",
        description="Post-closure satisfaction surveys: invitations, the survey page, "
        "anonymised results.",
    )
    app.state.clock = clock
    app.state.scheduler = scheduler
    api.SURVEYS.put(app, SurveyDesk(uow))
    api.CONSULTATIONS.put(app, ConsultationDesk(uow, settings.feedback_public_url))
    api.CONTACTS.put(app, OrganisationContacts(uow))
    api.SUMMARY.put(app, FeedbackSummary(uow))
    return app


def main() -> None:
    settings = FeedbackSettings()
    serve(create_app(settings), settings.http_port)
