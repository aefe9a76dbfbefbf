"""Moving a message to a new status: a compare-and-set in the store, the change announced on the
deliveries topic in the same transaction (status_events.py), counted and logged. Every use case
that changes a status goes through `move`, so statuses only ever move forward."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import Counter

from services.notifications.domain.records import Message, Status
from services.notifications.domain.statuses import can_move
from services.notifications.status_events import publish_status
from services.notifications.store import NotificationsStores
from shared.kit.work import Work

log = logging.getLogger("redress.notifications.sender")

MESSAGES = Counter(
    "redress_notifications_status_changes_total",
    "Messages moved to a status, by channel",
    ["channel", "status"],
)


async def move(
    work: Work[NotificationsStores],
    message: Message,
    status: Status,
    values: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Compare-and-set `message` to `status`, and publish the change. False if we lost."""
    if not can_move(message.status, status):
        return False
    if not await work.stores.messages.change(message, values, status=status):
        return False
    moved = dataclasses.replace(
        message,
        status=status,
        attempts=int(values.get("attempts", message.attempts)),
        channel=values.get("channel", message.channel),
    )
    await publish_status(work, moved, values.get("failure_reason"), now)
    MESSAGES.labels(moved.channel or "none", status.value).inc()
    log.info(
        "message is now %s",
        status.value,
        extra={
            "notification_id": message.id,
            "reference": message.reference,
            "status": status.value,
        },
    )
    return True
