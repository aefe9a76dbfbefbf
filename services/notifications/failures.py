"""Moving a message to a failure status: retries with backoff, giving up, and after a permanent
failure, suppressing the address and falling back to the next channel that can reach them."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications.domain.delivery import (
    Plan,
    address_for,
    addresses,
    channels_for,
    stored_body,
)
from services.notifications.domain.records import (
    FAILURE_REASON_LENGTH,
    Contact,
    Message,
    NewMessage,
    Status,
)
from services.notifications.domain.retry import RetryPolicy
from services.notifications.store import NotificationsStores
from services.notifications.transitions import move
from shared.kit.work import Work

log = logging.getLogger("redress.notifications.sender")


@dataclass(frozen=True)
class Retries:
    """What a failure needs besides the transaction: the backoff, its jitter, and a way to wake
    the sender once a fallback message is committed."""

    policy: RetryPolicy
    rng: random.Random
    wake: Callable[[], None]


async def fail(
    retries: Retries,
    work: Work[NotificationsStores],
    message: Message,
    status: Status,
    reason: str,
    now: datetime,
    contact: Contact | None,
    plan: Plan | None = None,
    extra: Mapping[str, Any] | None = None,
    retry_at: datetime | None = None,
) -> bool:
    """Move `message` to a failure status (a temporary one becomes technical once the
    attempts are used up); after a permanent one, suppress and fall back. False if we lost.
    `extra` holds further columns to set in the same compare-and-set; `retry_at` replaces
    the backoff (a send cut by a crash says nothing about the provider: retry it at once)."""
    reason = reason[:FAILURE_REASON_LENGTH]
    values: dict[str, Any] = {"failure_reason": reason, **(extra or {})}
    if plan is not None and plan.rendered is not None and message.status is not Status.SENDING:
        values |= {
            "rendered": stored_body(plan.channel, plan.rendered),
            "recipient": plan.address,
        }
    if status is Status.TEMPORARY_FAILURE:
        next_attempt = retries.policy.next_attempt_at(now, message.attempts, retries.rng)
        if next_attempt is None:
            status = Status.TECHNICAL_FAILURE
            values["failure_reason"] = f"gave up after {message.attempts} attempts: {reason}"[
                :FAILURE_REASON_LENGTH
            ]
        else:
            values["next_attempt_at"] = retry_at or next_attempt
    if not await move(work, message, status, values, now):
        return False
    if status is Status.PERMANENT_FAILURE and contact is not None:
        await _after_permanent_failure(retries, work, message, contact, reason, now, plan)
    return True


async def _after_permanent_failure(
    retries: Retries,
    work: Work[NotificationsStores],
    message: Message,
    contact: Contact,
    reason: str,
    now: datetime,
    plan: Plan | None,
) -> None:
    """Suppress the address that bounced, then try the next channel that can reach them."""
    assert message.channel is not None
    address = (plan.address if plan else None) or message.recipient
    suppressions = work.stores.suppressions
    if address:
        await suppressions.add(address, message.channel, reason, now)
    chain = channels_for(contact)
    later = chain[chain.index(message.channel) + 1 :] if message.channel in chain else []
    suppressed = await suppressions.suppressed(addresses(contact))
    for channel in later:
        fallback_address, _problem = address_for(contact, channel)
        if fallback_address is None or fallback_address in suppressed:
            continue
        if message.personalisation is None:
            return
        if await work.stores.messages.add(_fallback(message, channel, now)):
            log.info(
                "falling back to %s",
                channel,
                extra={"notification_id": message.id, "reference": message.reference},
            )
            work.after_commit(retries.wake)
        return


def _fallback(message: Message, channel: str, now: datetime) -> NewMessage:
    """The same message again on the next channel (its own dedupe key: added once)."""
    assert message.personalisation is not None
    return NewMessage(
        id=str(uuid.uuid4()),
        dedupe_key=f"{message.dedupe_key}|{channel}",
        request_id=message.request_id,
        reference=message.reference,
        template=message.template,
        template_version=message.template_version,
        personalisation=message.personalisation,
        created_at=now,
        channel=channel,
    )
