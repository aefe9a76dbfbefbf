"""Recovering sends cut short: a dead instance's claims at once, anything else at the timeouts.

The rule (docs/architecture.md "Sending: at most one resend"): a message is saved before it is
sent and its outcome after, so a process that dies between the provider taking a message and
the outcome being saved leaves it in `sending` with no provider id. Nothing can tell whether the
provider took it, so it is sent again, once, with the same Message-ID (and the same Notify
reference): at most one resend, only after a crash mid-send, never a loss.

Each instance writes a heartbeat (instance_store.py). A claim whose instance has stopped, has
been silent for longer than NOTIFICATIONS_INSTANCE_TIMEOUT_SECONDS, or held this instance's
slot before it, is recovered at start-up and on every beat; a live instance's claims are never
touched, so two live instances still never send one message twice. The claim-timeout sweep
stays as the backstop, so no message is left in `sending` for good.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services.notifications.domain.records import Status
from services.notifications.failures import fail
from services.notifications.sender import Sender
from services.notifications.store import NotificationsStores
from services.notifications.transitions import move
from shared.kit.work import UnitOfWork

log = logging.getLogger("redress.notifications.recovery")

CRASH_REASON = "the sender stopped mid-send (its instance is gone); sending again"
CLAIM_TIMEOUT_REASON = "the sender stopped before recording an outcome"
RECEIPT_TIMEOUT_REASON = "no delivery receipt within the sending timeout"
# Instance rows silent for this long are dropped: any claim of theirs went to the claim-timeout
# sweep (600 s by default) long before. A day keeps them for anyone looking into an incident.
INSTANCE_RECORD_RETENTION = timedelta(days=1)


class Recovery:
    def __init__(self, uow: UnitOfWork[NotificationsStores], sender: Sender) -> None:
        self.uow = uow
        self.sender = sender
        self.settings = sender.settings
        self.instance_id = sender.instance_id

    async def start(self) -> None:
        """At start-up: announce this instance, then take back what dead instances left."""
        await self.beat()

    async def beat(self) -> int:
        """One heartbeat, then recover the claims of instances that are gone since the last."""
        now = self.sender.clock()
        async with self.uow.transaction() as work:
            await work.stores.instances.beat(self.instance_id, self.settings.instance_slot, now)
        return await self.recover_dead_claims(now)

    async def stop(self) -> None:
        """An orderly stop: say so, so a send this stop cut short is recovered without waiting
        for the instance timeout."""
        async with self.uow.transaction() as work:
            await work.stores.instances.stopped(self.instance_id, self.sender.clock())

    async def recover_dead_claims(self, now: datetime | None = None) -> int:
        """Send again, at once, what instances that are gone left in `sending`."""
        now = now or self.sender.clock()
        silent_since = now - timedelta(seconds=self.settings.instance_timeout_seconds)
        recovered = 0
        retries = self.sender.retries
        async with self.uow.transaction() as work:
            instances = work.stores.instances
            gone = instances.gone(self.instance_id, self.settings.instance_slot, silent_since)
            for message in await work.stores.messages.claims_of(gone):
                failed = Status.TEMPORARY_FAILURE
                if await fail(
                    retries, work, message, failed, CRASH_REASON, now, None, retry_at=now
                ):
                    recovered += 1
                    log.warning(
                        "recovered a send cut short by a crash",
                        extra={"notification_id": message.id, "reference": message.reference},
                    )
            await instances.forget_silent_since(now - INSTANCE_RECORD_RETENTION)
        self._after_changes(recovered)
        return recovered

    async def sweep_stuck(self, now: datetime | None = None) -> int:
        """The backstop for messages left in `sending`: a claim with no outcome after the claim
        timeout (whoever made it) is retried; texts with no receipt after the sending timeout
        (docs/reference/notify-anchor.md §1 "Status lifecycle": 72 h) are given up."""
        now = now or self.sender.clock()
        claim_cutoff = now - timedelta(seconds=self.settings.claim_timeout_seconds)
        receipt_cutoff = now - timedelta(hours=self.settings.sending_timeout_hours)
        swept = 0
        async with self.uow.transaction() as work:
            store = work.stores.messages
            for message in await store.sending_since(claim_cutoff, with_provider_id=False):
                await fail(
                    self.sender.retries,
                    work,
                    message,
                    Status.TEMPORARY_FAILURE,
                    CLAIM_TIMEOUT_REASON,
                    now,
                    None,
                )
                swept += 1
            for message in await store.sending_since(receipt_cutoff, with_provider_id=True):
                values = {"failure_reason": RECEIPT_TIMEOUT_REASON}
                await move(work, message, Status.TECHNICAL_FAILURE, values, now)
                swept += 1
        self._after_changes(swept)
        return swept

    def _after_changes(self, changed: int) -> None:
        # The status events go out once the transaction commits (shared/kit/work.py); the
        # sender is woken for the messages now due again.
        if changed:
            self.sender.wake()
