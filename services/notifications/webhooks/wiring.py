"""Puts the webhooks into notifications: the consumer, the worker's loop, the admin routes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from services.notifications.webhooks import api, metrics
from services.notifications.webhooks.admin import WebhookAdmin
from services.notifications.webhooks.fanout import WebhookFanout
from services.notifications.webhooks.settings import WebhookSettings
from services.notifications.webhooks.worker import WebhookWorker
from shared.app import Service
from shared.crypto import Cipher
from shared.events import CASE_EVENT_TYPES
from shared.timekeeping import Clock
from shared.topics import CASEWORK_CASES

router = api.router


@dataclass(frozen=True)
class Webhooks:
    admin: WebhookAdmin
    worker: WebhookWorker

    @classmethod
    def install(
        cls,
        service: Service,
        *,
        cipher: Cipher,
        environment: str,
        settings: WebhookSettings,
        clock: Clock,
    ) -> Webhooks:
        http = httpx.AsyncClient(timeout=settings.http_timeout_seconds, follow_redirects=False)
        metrics.declare()
        worker = WebhookWorker(
            db=service.db, cipher=cipher, settings=settings, http=http, clock=clock
        )
        fanout = WebhookFanout(worker=worker, cipher=cipher, clock=clock)
        # The consumer group `<prefix>-notifications-webhooks`: its own offsets and inbox claims,
        # so a failing endpoint never holds up the complainants' messages.
        service.messaging.consume(
            CASEWORK_CASES,
            fanout.on_case_event,
            consumer="webhooks",
            event_types=set(CASE_EVENT_TYPES.values()),
        )
        service.every("webhooks", 0.0, worker.run_when_woken)
        service.on_shutdown.append(http.aclose)
        admin = WebhookAdmin(
            db=service.db, cipher=cipher, worker=worker, environment=environment, clock=clock
        )
        return cls(admin=admin, worker=worker)
