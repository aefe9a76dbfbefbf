"""Notifications' stores: the messages (here), the contacts and suppression list
(contact_store.py) and the sender instances (instance_store.py), on the tables of tables.py.

`NotificationsStores` is what a use case is handed (through the unit of work,
shared/kit/work.py); tests/kit/fakes/notifications.py has the in-memory stores the use-case unit
tests run on. Everything personal is encrypted at rest (shared.crypto.Cipher). Status changes are
compare-and-set UPDATEs, so two instances (or a late provider receipt) can never move a message
twice or backwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.contact_store import ContactStore, SuppressionList
from services.notifications.domain.records import Message, NewMessage, Status
from services.notifications.instance_store import InstanceStore
from services.notifications.tables import (
    INSTANCE_ID_LENGTH,
    LETTER,
    REFERENCE_LENGTH,
    case_closures,
    contacts,
    inbox,
    messages,
    metadata,
    outbox,
    suppressions,
)
from shared.crypto import Cipher
from shared.kit.tables import rowcount
from shared.kit.tables import upsert_statement as dialect_insert

__all__ = [
    "INSTANCE_ID_LENGTH",
    "LETTER",
    "REFERENCE_LENGTH",
    "ContactStore",
    "InstanceStore",
    "Message",
    "MessageStore",
    "NotificationsStores",
    "SuppressionList",
    "case_closures",
    "contacts",
    "inbox",
    "messages",
    "metadata",
    "notifications_stores",
    "outbox",
    "suppressions",
]


@dataclass(frozen=True)
class NotificationsStores:
    """Notifications' stores, bound to one transaction."""

    contacts: ContactStore
    messages: MessageStore
    suppressions: SuppressionList
    instances: InstanceStore


def notifications_stores(cipher: Cipher) -> Callable[[AsyncSession], NotificationsStores]:
    """How the unit of work binds notifications' stores to a session."""
    return lambda session: NotificationsStores(
        ContactStore(session, cipher),
        MessageStore(session, cipher),
        SuppressionList(session, cipher),
        InstanceStore(session),
    )


class MessageStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def add(self, message: NewMessage) -> bool:
        """Store a new message in `created`; False when its dedupe key is already there."""
        statement = dialect_insert(self.session, messages).values(
            id=message.id,
            dedupe_key=message.dedupe_key,
            request_id=message.request_id,
            reference=message.reference,
            template=message.template,
            template_version=message.template_version,
            channel=message.channel,
            status=Status.CREATED.value,
            large_print=False,
            personalisation=self.cipher.encrypt_json(dict(message.personalisation)),
            created_at=message.created_at,
            attempts=0,
        )
        result = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=[messages.c.dedupe_key])
        )
        return rowcount(result) == 1

    async def get(self, message_id: str) -> Message | None:
        row = (
            await self.session.execute(select(messages).where(messages.c.id == message_id))
        ).first()
        return None if row is None else self._message(row)

    async def traceparent(self, message_id: str) -> str | None:
        """The trace of the event that asked for the message (message_traces.py)."""
        traceparent: str | None = await self.session.scalar(
            select(messages.c.traceparent).where(messages.c.id == message_id)
        )
        return traceparent

    async def by_provider_id(self, provider_message_id: str) -> Message | None:
        row = (
            await self.session.execute(
                select(messages).where(messages.c.provider_message_id == provider_message_id)
            )
        ).first()
        return None if row is None else self._message(row)

    async def for_reference(self, reference: str) -> list[Message]:
        rows = await self.session.execute(
            select(messages)
            .where(messages.c.reference == reference)
            .order_by(messages.c.created_at, messages.c.id)
        )
        return [self._message(row) for row in rows]

    async def due_first_attempts(self, now: datetime, limit: int) -> list[Message]:
        """Messages never tried, whose complainant is known and whose hold (if any) is over."""
        return await self._due(messages.c.status == Status.CREATED.value, now, limit)

    async def due_retries(self, now: datetime, limit: int) -> list[Message]:
        is_due_retry = and_(
            messages.c.status == Status.TEMPORARY_FAILURE.value,
            messages.c.next_attempt_at.is_not(None),
            messages.c.next_attempt_at <= now,
        )
        return await self._due(is_due_retry, now, limit)

    async def _due(
        self, condition: ColumnElement[bool], now: datetime, limit: int
    ) -> list[Message]:
        contact_known = exists().where(contacts.c.reference == messages.c.reference)
        not_held = or_(messages.c.send_after.is_(None), messages.c.send_after <= now)
        not_in_print_queue = messages.c.queued_for_print_at.is_(None)
        rows = await self.session.execute(
            select(messages)
            .where(condition, not_held, contact_known, not_in_print_queue)
            .order_by(messages.c.created_at, messages.c.id)
            .limit(limit)
        )
        return [self._message(row) for row in rows]

    async def sending_since(self, before: datetime, *, with_provider_id: bool) -> list[Message]:
        """Messages in `sending` whose last attempt began before `before`."""
        has_id = (
            messages.c.provider_message_id.is_not(None)
            if with_provider_id
            else messages.c.provider_message_id.is_(None)
        )
        rows = await self.session.execute(
            select(messages).where(
                messages.c.status == Status.SENDING.value,
                messages.c.last_attempt_at < before,
                has_id,
                # A letter is `sending` while it waits to be posted: staff time, not a timeout.
                messages.c.channel != LETTER,
            )
        )
        return [self._message(row) for row in rows]

    async def claims_of(self, instances: Select[tuple[str]]) -> list[Message]:
        """`sending`, claimed by one of `instances`, outcome never saved; letters apart."""
        rows = await self.session.execute(
            select(messages).where(
                messages.c.status == Status.SENDING.value,
                messages.c.provider_message_id.is_(None),
                messages.c.channel != LETTER,
                messages.c.claimed_by.in_(instances),
            )
        )
        return [self._message(row) for row in rows]

    async def letters(self, status: Status, limit: int) -> list[Message]:
        """Letters in the print queue with `status`, oldest first."""
        rows = await self.session.execute(
            select(messages)
            .where(
                messages.c.channel == LETTER,
                messages.c.status == status.value,
                messages.c.queued_for_print_at.is_not(None),
            )
            .order_by(messages.c.queued_for_print_at, messages.c.id)
            .limit(limit)
        )
        return [self._message(row) for row in rows]

    async def unfinished_created_before(self, cutoff: datetime) -> list[Message]:
        rows = await self.session.execute(
            select(messages).where(
                messages.c.created_at < cutoff,
                messages.c.status.in_([Status.CREATED.value, Status.TEMPORARY_FAILURE.value]),
            )
        )
        return [self._message(row) for row in rows]

    async def change(
        self,
        message: Message,
        values: Mapping[str, Any],
        *,
        status: Status | None = None,
    ) -> bool:
        """Compare-and-set: apply `values` (and `status`) only if nobody moved the message since
        it was read (same status and attempts). True when this call won."""
        updates = dict(values)
        if status is not None:
            updates["status"] = status.value
        for secret in ("personalisation", "rendered", "recipient"):
            if secret in updates and updates[secret] is not None:
                updates[secret] = self.cipher.encrypt_json(updates[secret])
        result = await self.session.execute(
            update(messages)
            .where(
                messages.c.id == message.id,
                messages.c.status == message.status.value,
                messages.c.attempts == message.attempts,
            )
            .values(**updates)
        )
        return rowcount(result) == 1

    async def redact_created_before(self, cutoff: datetime, now: datetime) -> int:
        """Retention: drop content and recipient, keep the metadata
        (docs/reference/notify-anchor.md §1 "Data retention")."""
        result = await self.session.execute(
            update(messages)
            .where(messages.c.created_at < cutoff, messages.c.redacted_at.is_(None))
            .where(messages.c.status.not_in([Status.CREATED.value, Status.TEMPORARY_FAILURE.value]))
            .values(personalisation=None, rendered=None, recipient=None, redacted_at=now)
        )
        return rowcount(result)

    def _message(self, row: Any) -> Message:
        decrypt = self.cipher.decrypt_json
        return Message(
            id=row.id,
            request_id=row.request_id,
            reference=row.reference,
            template=row.template,
            template_version=row.template_version,
            channel=row.channel,
            status=Status(row.status),
            attempts=row.attempts,
            large_print=bool(row.large_print),
            created_at=row.created_at,
            send_after=row.send_after,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            failure_reason=row.failure_reason,
            provider_message_id=row.provider_message_id,
            fragments=row.fragments,
            dedupe_key=row.dedupe_key,
            queued_for_print_at=row.queued_for_print_at,
            personalisation=decrypt(row.personalisation) if row.personalisation else None,
            rendered=decrypt(row.rendered) if row.rendered else None,
            recipient=decrypt(row.recipient) if row.recipient else None,
        )
