"""Registering, listing, pausing and deleting webhook endpoints, and replaying deliveries."""

from __future__ import annotations

import base64
import dataclasses
import secrets
import uuid
from collections.abc import Sequence

from services.notifications.domain.webhooks import (
    FINAL_STATUSES,
    DeliveryStatus,
    check_description,
    check_endpoint_url,
    check_event_types,
)
from services.notifications.webhooks.store import Delivery, Endpoint, WebhookStore
from services.notifications.webhooks.worker import WebhookWorker
from shared.crypto import Cipher
from shared.db import Database
from shared.timekeeping import Clock

# Standard Webhooks (spec.md "Signature scheme"): secrets are 24 to 64 random bytes, shown
# base64-encoded after a `whsec_` prefix.
SECRET_BYTES = 32
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
DELIVERY_LOG_LIMIT = 200


class NotFoundError(LookupError):
    pass


class NotFinishedError(RuntimeError):
    """A replay of a delivery still pending or being retried: it will be sent anyway."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class WebhookAdmin:
    def __init__(
        self,
        *,
        db: Database,
        cipher: Cipher,
        worker: WebhookWorker,
        environment: str,
        clock: Clock,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.worker = worker
        self.environment = environment
        self.clock = clock

    async def register(
        self, url: str, event_types: Sequence[str], description: str
    ) -> tuple[Endpoint, str]:
        """A new endpoint and its secret (the only time the secret leaves the service)."""
        endpoint = Endpoint(
            id=str(uuid.uuid4()),
            url=check_endpoint_url(url, environment=self.environment),
            description=check_description(description),
            event_types=check_event_types(event_types),
            enabled=True,
            consecutive_failures=0,
            created_at=self.clock(),
            disabled_at=None,
        )
        secret = new_secret()
        async with self.db.transaction() as session:
            await WebhookStore(session, self.cipher).add_endpoint(endpoint, secret)
        return endpoint, secret

    async def endpoints(self) -> list[Endpoint]:
        async with self.db.transaction() as session:
            return await WebhookStore(session, self.cipher).endpoints()

    async def deliveries(self, endpoint_id: str) -> list[Delivery]:
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            if await store.endpoint(endpoint_id) is None:
                raise NotFoundError(endpoint_id)
            return await store.deliveries(endpoint_id, DELIVERY_LOG_LIMIT)

    async def delete(self, endpoint_id: str) -> None:
        async with self.db.transaction() as session:
            if not await WebhookStore(session, self.cipher).delete_endpoint(
                endpoint_id, self.clock()
            ):
                raise NotFoundError(endpoint_id)

    async def set_enabled(self, endpoint_id: str, enabled: bool) -> Endpoint:
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            if not await store.set_enabled(endpoint_id, enabled, self.clock()):
                raise NotFoundError(endpoint_id)
            endpoint = await store.endpoint(endpoint_id)
        self.worker.wake()  # a re-enabled endpoint's backlog is due now
        if endpoint is None:
            raise NotFoundError(endpoint_id)
        return endpoint

    async def replay(self, endpoint_id: str, delivery_id: str) -> Delivery:
        """Send a finished delivery again as a new row (same `webhook-id`, so the receiver can
        tell); re-enables the endpoint, whose backlog then goes too."""
        now = self.clock()
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            original = await store.delivery(endpoint_id, delivery_id)
            if original is None or await store.endpoint(endpoint_id) is None:
                raise NotFoundError(delivery_id)
            if original.status not in FINAL_STATUSES:
                raise NotFinishedError(delivery_id)
            replay = dataclasses.replace(
                original,
                id=str(uuid.uuid4()),
                status=DeliveryStatus.PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=None,
                last_attempt_at=None,
                delivered_at=None,
                last_response_status=None,
                last_error=None,
                replay_of=original.id,
            )
            await store.add_delivery(replay, f"{endpoint_id}:{original.message_id}:{replay.id}")
            await store.set_enabled(endpoint_id, True, now)
            self.worker.wake_after_commit(session)
        return replay
