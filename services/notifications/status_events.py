"""Status changes out: each goes on the deliveries topic (docs/design.md §4) through the
outbox, in the transaction that made it, with ids and statuses only (no personal data)."""

from __future__ import annotations

from datetime import datetime

from services.notifications.domain.delivery import STATUS_EVENT_TYPES
from services.notifications.domain.records import Message
from shared.events import NotificationStatusChanged
from shared.kit.work import Work
from shared.topics import NOTIFICATION_DELIVERIES


async def publish_status(
    work: Work[object],
    message: Message,
    failure_reason: str | None,
    now: datetime,
) -> None:
    """Announce `message`'s new status on the deliveries topic, in `work`'s transaction."""
    if message.channel not in ("email", "sms", "letter"):
        # Never got as far as choosing a channel (its complainant never became known); the
        # contract needs one, and there is nothing casework could act on.
        return
    payload = NotificationStatusChanged(
        notification_id=message.id,
        request_id=message.request_id,
        reference=message.reference,
        channel=message.channel,
        template=message.template,
        template_version=message.template_version,
        status=message.status,
        at=now,
        attempts=message.attempts,
        failure_reason=failure_reason,
    )
    await work.emit(
        NOTIFICATION_DELIVERIES,
        payload,
        subject=message.reference,
        ce_type=STATUS_EVENT_TYPES[message.status],
    )
