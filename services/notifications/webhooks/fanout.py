"""The webhooks consumer: one delivery row per subscribed endpoint for each public case event.

It runs inside the transaction that records the event in the inbox, so each event is saved
exactly once per endpoint (the dedupe key refuses a second row); the worker sends after commit.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain.webhooks import (
    OFFERED_EVENT_TYPES,
    DeliveryStatus,
    webhook_body,
)
from services.notifications.webhooks.store import Delivery, WebhookStore
from services.notifications.webhooks.worker import WebhookWorker
from shared.crypto import Cipher
from shared.envelope import CloudEvent
from shared.messaging import PermanentEventError
from shared.timekeeping import Clock


class WebhookFanout:
    def __init__(self, *, worker: WebhookWorker, cipher: Cipher, clock: Clock) -> None:
        self.worker = worker
        self.cipher = cipher
        self.clock = clock

    async def on_case_event(self, session: AsyncSession, event: CloudEvent) -> None:
        if event.type not in OFFERED_EVENT_TYPES:
            # The subscription filters these out; never offer anything else if it did not.
            raise PermanentEventError(f"not a public case event: {event.type}")
        store = WebhookStore(session, self.cipher)
        body = webhook_body(event.type, event.time, event.data)
        added = False
        for endpoint_id in await store.subscribed_to(event.type):
            delivery = Delivery(
                id=str(uuid.uuid4()),
                endpoint_id=endpoint_id,
                message_id=event.id,
                event_type=event.type,
                reference=event.subject,
                body=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                created_at=self.clock(),
                next_attempt_at=None,
                last_attempt_at=None,
                delivered_at=None,
                last_response_status=None,
                last_error=None,
                replay_of=None,
            )
            added |= await store.add_delivery(delivery, f"{endpoint_id}:{event.id}")
        if added:
            self.worker.wake_after_commit(session)
