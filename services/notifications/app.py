"""Notifications' composition root: settings, database, Kafka, providers, sender, HTTP routes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notifications import api
from services.notifications.consumers import (
    CASE_EVENT_TYPES,
    COMPLAINT_RECEIVED,
    NOTIFICATION_REQUESTED,
    Handlers,
)
from services.notifications.domain import TEMPLATES_DIRECTORY, TemplateCatalogue
from services.notifications.incoming import Incoming
from services.notifications.letters import PrintQueue
from services.notifications.providers import EmailSender, make_sms_provider
from services.notifications.receipts import Receipts
from services.notifications.recovery import Recovery
from services.notifications.retention import RetentionPeriods, apply_retention
from services.notifications.sender import Sender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStores, metadata, notifications_stores
from services.notifications.webhooks import wiring as webhooks
from services.notifications.webhooks.settings import WebhookSettings
from shared.app import Service, serve
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Messaging
from shared.timekeeping import Clock, utc_now
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS, NOTIFICATION_REQUESTS

# How often messages stuck in `sending` are looked for: their timeouts are minutes to days.
SWEEP_INTERVAL_SECONDS = 60.0
# Long enough for a slow provider to answer, short enough that a hung one does not stall the
# sender; a send that times out is retried as a temporary failure.
SMS_HTTP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class SmsProviderConfig:
    """What `make_sms_provider` reads. `status_callback_url` is where the provider posts
    receipts to (this service), not the complainant-facing site the messages link to."""

    sms_provider: str
    sms_api_url: str
    sms_account_sid: str
    sms_auth_token: str
    sms_from: str
    status_callback_url: str

    @classmethod
    def of(cls, settings: NotificationsSettings) -> SmsProviderConfig:
        return cls(
            sms_provider=settings.sms_provider,
            sms_api_url=settings.sms_api_url,
            sms_account_sid=settings.sms_account_sid,
            sms_auth_token=settings.sms_auth_token.get_secret_value(),
            sms_from=settings.sms_from,
            status_callback_url=settings.sms_status_callback_url,
        )


def create_app(
    settings: NotificationsSettings | None = None,
    *,
    clock: Clock = utc_now,
    webhook_settings: WebhookSettings | None = None,
) -> FastAPI:
    """The service; `clock` is injectable so tests can choose the time of day."""
    settings = settings or NotificationsSettings()
    service = Service(
        "notifications", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    uow = SqlUnitOfWork(service.db, service.messaging, notifications_stores(settings.cipher()))
    catalogue = TemplateCatalogue.load(TEMPLATES_DIRECTORY)
    email = _email_sender(settings)
    http_client = httpx.AsyncClient(timeout=SMS_HTTP_TIMEOUT_SECONDS)
    sender = Sender(
        uow=uow,
        settings=settings,
        catalogue=catalogue,
        email=email,
        sms=make_sms_provider(SmsProviderConfig.of(settings), http_client),
        clock=clock,
        tracer=service.messaging.tracer,
    )
    recovery = Recovery(uow, sender)
    incoming = Incoming(catalogue=catalogue, clock=clock, wake_sender=sender.wake)
    handlers = Handlers(uow, incoming)
    _subscribe(service.messaging, handlers)
    _schedule(service, settings, uow, sender, recovery, clock)
    service.on_shutdown.append(email.close)
    service.on_shutdown.append(http_client.aclose)
    service.on_shutdown.append(recovery.stop)
    hooks = _webhooks(service, settings, webhook_settings, clock)

    app = service.http_app(
        routers=[api.router, webhooks.router],
        title="Redress notifications",
        description="Messages to complainants by email and text: templates, retries, receipts.",
    )
    api.UOW.put(app, uow)
    api.SETTINGS.put(app, settings)
    api.PRINT_QUEUE.put(app, PrintQueue(uow, clock))
    api.RECEIPTS.put(app, Receipts(uow, sender.retries, clock))
    app.state.sender = sender
    app.state.recovery = recovery
    app.state.handlers = handlers
    app.state.webhooks = hooks.admin
    return app


def _webhooks(
    service: Service,
    settings: NotificationsSettings,
    webhook_settings: WebhookSettings | None,
    clock: Clock,
) -> webhooks.Webhooks:
    return webhooks.Webhooks.install(
        service,
        cipher=settings.cipher(),
        environment=settings.environment,
        settings=webhook_settings or WebhookSettings(),
        clock=clock,
    )


def _email_sender(settings: NotificationsSettings) -> EmailSender:
    return EmailSender(
        settings.smtp_host,
        settings.smtp_port,
        tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
    )


def _subscribe(messaging: Messaging, handlers: Handlers) -> None:
    messaging.consume(
        INTAKE_COMPLAINTS,
        handlers.on_complaint,
        consumer="contacts",
        event_types={COMPLAINT_RECEIVED},
    )
    messaging.consume(
        CASEWORK_CASES, handlers.on_case_event, consumer="cases", event_types=set(CASE_EVENT_TYPES)
    )
    messaging.consume(
        NOTIFICATION_REQUESTS,
        handlers.on_request,
        consumer="requests",
        event_types={NOTIFICATION_REQUESTED},
    )


def _schedule(
    service: Service,
    settings: NotificationsSettings,
    uow: SqlUnitOfWork[NotificationsStores],
    sender: Sender,
    recovery: Recovery,
    clock: Clock,
) -> None:
    # The sender's own wait (woken on insert, else the poll interval) paces it: no extra sleep.
    service.every("sender", 0.0, sender.run_when_woken)
    # Before the sender starts: announce this instance and take back what dead ones left in
    # `sending` (recovery.py); then a heartbeat, which also recovers instances that die later.
    service.on_startup.append(recovery.start)
    service.every("heartbeat", settings.instance_heartbeat_seconds, recovery.beat)
    service.every("sweep", SWEEP_INTERVAL_SECONDS, recovery.sweep_stuck)
    periods = RetentionPeriods.of(settings)

    async def retention() -> None:
        await apply_retention(uow, periods, clock())

    service.every("retention", settings.retention_interval_seconds, retention)


def main() -> None:
    settings = NotificationsSettings()
    serve(create_app(settings), settings.http_port)
