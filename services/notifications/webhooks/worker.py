"""Sends stored webhook deliveries: claim an attempt, sign, POST, record the outcome.

Save first, then send (as for messages): the consumer stores a delivery row in the transaction
that claims the event, and this worker sends it after the commit. Each attempt is claimed with a
compare-and-set before the POST, so no two instances send one attempt, and a delivered row is
never claimed again. After a configured run of consecutive failed attempts the endpoint is
disabled and sent one last signed `redress.webhook.disabled` message (docs/design.md §8).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from services.notifications.domain.webhooks import (
    DISABLED_EVENT_TYPE,
    DeliveryStatus,
    is_success,
    should_disable,
    webhook_body,
)
from services.notifications.webhooks import metrics
from services.notifications.webhooks.settings import WebhookSettings
from services.notifications.webhooks.store import Delivery, WebhookStore
from shared.crypto import Cipher
from shared.db import Database
from shared.timekeeping import Clock
from shared.wakeups import wait_woken

log = logging.getLogger("redress.notifications.webhooks")

CONTENT_TYPE = "application/json"


class WebhookWorker:
    def __init__(
        self,
        *,
        db: Database,
        cipher: Cipher,
        settings: WebhookSettings,
        http: httpx.AsyncClient,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.settings = settings
        self.http = http
        self.clock = clock
        self.policy = settings.retry_policy()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def wake_after_commit(self, session: AsyncSession) -> None:
        """Wake once `session` has committed (before, the new rows are not visible)."""
        orm_event.listen(session.sync_session, "after_commit", lambda _: self.wake(), once=True)

    async def run_when_woken(self) -> None:
        await wait_woken(self._wake, self.settings.poll_interval_seconds)
        self._wake.clear()
        if await self.deliver_due() >= self.settings.batch_size:
            self.wake()  # more may be waiting

    async def deliver_due(self) -> int:
        """One pass: claim what is due and send the claimed attempts side by side."""
        now = self.clock()
        claim_until = now + timedelta(seconds=self.settings.claim_timeout_seconds)
        claimed: list[Delivery] = []
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            for delivery in await store.due(now, self.settings.batch_size):
                if await store.claim(delivery, now, claim_until):
                    claimed.append(delivery)
        await asyncio.gather(*(self._attempt(delivery) for delivery in claimed))
        return len(claimed)

    async def _attempt(self, delivery: Delivery) -> None:
        attempt = delivery.attempts + 1
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            secret = await store.secret(delivery.endpoint_id)
            endpoint = await store.endpoint(delivery.endpoint_id)
        if endpoint is None:
            return  # deleted meanwhile: its deliveries were ended with it
        code, error = await self._post(endpoint.url, secret, delivery.message_id, delivery.body)
        ok = code is not None and is_success(code)
        now = self.clock()
        next_at = None if ok else self.policy.next_attempt_at(now, attempt, self.rng)
        if ok:
            status = DeliveryStatus.DELIVERED
        else:
            status = DeliveryStatus.SENDING if next_at else DeliveryStatus.FAILED
        async with self.db.transaction() as session:
            store = WebhookStore(session, self.cipher)
            recorded = await store.record_outcome(
                delivery.id,
                attempt,
                status=status,
                now=now,
                next_attempt_at=next_at,
                response_status=code,
                error=error,
            )
            if not recorded:
                return  # taken over by another instance after the claim timed out
            failures = await store.count_failure(delivery.endpoint_id, failed=not ok)
            disable = not ok and should_disable(failures, self.settings.disable_after_failures)
            disabled_now = disable and await store.disable(delivery.endpoint_id, now)
        metrics.count_attempt(ok=ok, retrying=next_at is not None)
        if disabled_now:
            metrics.count_disabled()
        if ok:
            self.wake()  # the next event of this case may be waiting for this one
        if disabled_now:
            log.warning("webhook endpoint %s disabled after %d failures", endpoint.id, failures)
            await self._tell_disabled(endpoint.id, endpoint.url, secret, failures, now)

    async def _post(
        self, url: str, secret: str, message_id: str, body: str
    ) -> tuple[int | None, str | None]:
        """POST one signed attempt: (status code or None, what went wrong or None)."""
        sent_at = self.clock()
        headers = {
            "content-type": CONTENT_TYPE,
            "webhook-id": message_id,
            "webhook-timestamp": str(math.floor(sent_at.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
        }
        try:
            # No redirects: a 3xx is a failure (Standard Webhooks), never a hop elsewhere.
            response = await self.http.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: no answer"
        if is_success(response.status_code):
            return response.status_code, None
        return response.status_code, f"answered {response.status_code}"

    async def _tell_disabled(
        self, endpoint_id: str, url: str, secret: str, failures: int, now: datetime
    ) -> None:
        """One signed attempt, logged with the deliveries, never retried (the endpoint is down)."""
        data = {"endpoint_id": endpoint_id, "consecutive_failures": failures}
        body = webhook_body(DISABLED_EVENT_TYPE, now, data)
        notice = Delivery(
            id=str(uuid.uuid4()),
            endpoint_id=endpoint_id,
            message_id=f"disabled-{uuid.uuid4()}",
            event_type=DISABLED_EVENT_TYPE,
            reference="",
            body=body,
            status=DeliveryStatus.SENDING,
            attempts=1,
            created_at=now,
            next_attempt_at=None,
            last_attempt_at=now,
            delivered_at=None,
            last_response_status=None,
            last_error=None,
            replay_of=None,
        )
        async with self.db.transaction() as session:
            await WebhookStore(session, self.cipher).add_delivery(notice, f"{notice.message_id}")
        code, error = await self._post(url, secret, notice.message_id, body)
        ok = code is not None and is_success(code)
        async with self.db.transaction() as session:
            await WebhookStore(session, self.cipher).record_outcome(
                notice.id,
                1,
                status=DeliveryStatus.DELIVERED if ok else DeliveryStatus.FAILED,
                now=self.clock(),
                next_attempt_at=None,
                response_status=code,
                error=error,
            )
