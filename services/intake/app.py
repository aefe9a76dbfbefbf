"""Intake's composition root: settings, database, Kafka, HTTP routes, the SMTP listener, jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.intake import api, assets, consumers, document_api, enquiry_api, organisation_api
from services.intake.documents import ComplaintDocuments
from services.intake.domain import IntakeRules
from services.intake.email.listener import EmailListener
from services.intake.email.receiving import EmailIntake
from services.intake.enquiries import EnquiryDesk
from services.intake.organisations import OrganisationDirectory
from services.intake.retention import Retention
from services.intake.settings import IntakeSettings
from services.intake.store import IntakeStores, intake_stores, metadata
from services.intake.submissions import ComplaintIntake
from shared.app import Service, serve
from shared.crypto import Cipher
from shared.documents.settings import DocumentStoreSettings
from shared.documents.vault import DocumentVault
from shared.kit.i18n import sentence_translator
from shared.kit.work import SqlUnitOfWork
from shared.mail import SmtpMailer
from shared.timekeeping import Clock, utc_now
from shared.topics import CASEWORK_CASES

# Retention runs hourly: anonymisation is due on a scale of days, not minutes.
RETENTION_INTERVAL_SECONDS = 3600.0
ROUTERS = [
    api.router,
    enquiry_api.router,
    organisation_api.router,
    document_api.router,
    assets.router,
]


def create_app(
    settings: IntakeSettings | None = None,
    *,
    clock: Clock = utc_now,
    document_store: DocumentStoreSettings | None = None,
) -> FastAPI:
    """`clock` is what the routes, the email channel and retention take as now (tests set it);
    `document_store` where documents are kept (default: from REDRESS_DOCUMENT_*)."""
    settings = settings or IntakeSettings()
    document_store = document_store or DocumentStoreSettings()
    service = Service(
        "intake", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    cipher = settings.cipher()
    uow = SqlUnitOfWork(service.db, service.messaging, intake_stores(cipher))
    rules = IntakeRules(parliament_dissolved=settings.parliament_dissolved)
    intake = ComplaintIntake(uow, rules)
    retention = Retention(
        uow,
        after_closure=timedelta(days=settings.retention_days_after_closure),
        incomplete_email=timedelta(days=settings.incomplete_email_retention_days),
    )
    documents = _documents(service, uow, cipher, document_store)
    email_intake = _email_intake(settings, uow, intake, clock, documents)

    service.messaging.consume(
        CASEWORK_CASES,
        consumers.on_case_closed(retention, uow),
        consumer="retention",
        event_types={consumers.CASE_CLOSED},
    )
    _schedule(service, settings, retention, email_intake, clock)
    directory = _directory(service, uow)

    app = service.http_app(
        routers=ROUTERS,
        title="Redress intake",
        description="Complaints in: the form, the API, eligibility pre-checks and guidance.",
    )
    app.state.clock = clock
    api.INTAKE.put(app, intake)
    api.RULES.put(app, rules)
    enquiry_api.DESK.put(app, EnquiryDesk(uow, intake))
    api.DIRECTORY.put(app, directory)
    api.DOCUMENTS.put(app, documents)
    return app


def _directory(service: Service, uow: SqlUnitOfWork[IntakeStores]) -> OrganisationDirectory:
    """The directory of organisations, seeded at start-up (missing ids only)."""
    directory = OrganisationDirectory(uow)

    async def seed_directory() -> None:
        await directory.seed()
        assets.installed()

    service.on_startup.append(seed_directory)
    return directory


def _documents(
    service: Service,
    uow: SqlUnitOfWork[IntakeStores],
    cipher: Cipher,
    document_store: DocumentStoreSettings,
) -> ComplaintDocuments:
    """Where the documents that come with complaints are kept: intake's prefix of the store,
    sealed under data keys wrapped by intake's own keys."""
    blobs = document_store.blob_store("intake")
    service.on_shutdown.append(blobs.close)
    vault = DocumentVault(blobs, cipher)
    return ComplaintDocuments(uow, vault, document_store.limits(), document_store.scanner())


def _email_intake(
    settings: IntakeSettings,
    uow: SqlUnitOfWork[IntakeStores],
    intake: ComplaintIntake,
    clock: Clock,
    documents: ComplaintDocuments,
) -> EmailIntake:
    """The email channel: reads complaints sent by mail and answers with questions."""
    return EmailIntake(
        uow,
        intake,
        SmtpMailer.from_settings(settings),
        mail_from=settings.mail_from,
        max_replies=settings.email_max_replies,
        clock=clock,
        nation=settings.nation,
        welsh=sentence_translator(Path(__file__).parent / "locale", "cy"),
        documents=documents,
    )


def _schedule(
    service: Service,
    settings: IntakeSettings,
    retention: Retention,
    email_intake: EmailIntake,
    clock: Clock,
) -> None:
    """The periodic jobs, and the SMTP listener started and stopped with the service."""

    async def apply_retention() -> None:
        await retention.apply(clock())

    service.every("retention", RETENTION_INTERVAL_SECONDS, apply_retention)
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


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings.http_port)
