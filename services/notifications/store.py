"""Notifications' own database: contacts, messages, the suppression list, outbox and inbox.

Everything personal is encrypted at rest (shared.crypto.Cipher): the complainant's contact
details, each message's personalisation, and what was sent to whom. The suppression list keeps
only keyed digests of addresses. Status changes are compare-and-set UPDATEs, so two instances
(or a late provider receipt) can never move a message twice or backwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    and_,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain.records import (
    FAILURE_REASON_LENGTH,
    Contact,
    Message,
    NewMessage,
    Status,
)
from shared.crypto import Cipher
from shared.db import UtcDateTime
from shared.inbox import inbox_table
from shared.outbox import outbox_table
from shared.tracing import TRACEPARENT_LENGTH, current_traceparent

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

REFERENCE_LENGTH = 64
INSTANCE_ID_LENGTH = 36  # a UUID
LETTER = "letter"

contacts = Table(
    "contacts",
    metadata,
    Column("reference", String(REFERENCE_LENGTH), primary_key=True),
    # name, email, phone, address, preferred_contact, reasonable_adjustments, language,
    # tracking_token: one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# When each case first closed: the contact is deleted a retention period after it. A table of
# its own, because the closure may be seen before the complaint that brings the contact.
case_closures = Table(
    "case_closures",
    metadata,
    Column("reference", String(REFERENCE_LENGTH), primary_key=True),
    Column("closed_at", UtcDateTime(), nullable=False, index=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(36), primary_key=True),
    # event id (or request id) + template + recipient role [+ fallback channel]: a redelivered
    # event, or a second instance handling it, cannot add a second row.
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("request_id", String(100), nullable=False),
    Column("reference", String(REFERENCE_LENGTH), nullable=False, index=True),
    Column("template", String(64), nullable=False),
    Column("template_version", Integer, nullable=False),
    # Chosen when the message is first claimed (the contact may not be known before).
    Column("channel", String(8), nullable=True),
    Column("status", String(24), nullable=False),
    Column("large_print", Boolean, nullable=False, default=False),
    Column("personalisation", LargeBinary, nullable=True),
    Column("rendered", LargeBinary, nullable=True),
    Column("recipient", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("send_after", UtcDateTime(), nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("failure_reason", String(FAILURE_REASON_LENGTH), nullable=True),
    Column("provider_message_id", String(255), nullable=True, index=True),
    Column("fragments", Integer, nullable=True),
    Column("redacted_at", UtcDateTime(), nullable=True),
    # Letters: rendered and waiting in the print queue for staff (status stays `created` until
    # staff fetch the queue, then `sending` until they confirm it was posted).
    Column("queued_for_print_at", UtcDateTime(), nullable=True),
    # The sender instance holding the current claim (instances.py): a dead one's is recovered.
    Column("claimed_by", String(INSTANCE_ID_LENGTH), nullable=True),
    # The trace of the event that asked for it (the consumer's span, current at the INSERT).
    Column("traceparent", String(TRACEPARENT_LENGTH), nullable=True, default=current_traceparent),
    Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("address_digest", String(64), primary_key=True),
    Column("channel", String(8), nullable=False),
    Column("reason", String(FAILURE_REASON_LENGTH), nullable=False),
    Column("suppressed_at", UtcDateTime(), nullable=False),
)


class ContactStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def upsert(self, contact: Contact, now: datetime) -> None:
        values = {
            "reference": contact.reference,
            "personal_data": self.cipher.encrypt_json(contact.as_json()),
            "updated_at": now,
        }
        statement = dialect_insert(self.session, contacts).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[contacts.c.reference],
                set_={"personal_data": values["personal_data"], "updated_at": now},
            )
        )

    async def mark_case_closed(self, reference: str, closed_at: datetime) -> None:
        """Starts the contact's retention clock at the first closure (a review re-closes
        without a new `redress.case.closed`)."""
        await self.session.execute(
            dialect_insert(self.session, case_closures)
            .values(reference=reference, closed_at=closed_at)
            .on_conflict_do_nothing(index_elements=[case_closures.c.reference])
        )

    async def delete_closed_before(self, cutoff: datetime) -> int:
        closed_long_ago = select(case_closures.c.reference).where(
            case_closures.c.closed_at < cutoff
        )
        result = await self.session.execute(
            delete(contacts).where(contacts.c.reference.in_(closed_long_ago))
        )
        return rowcount(result)

    async def get(self, reference: str) -> Contact | None:
        data = await self.session.scalar(
            select(contacts.c.personal_data).where(contacts.c.reference == reference)
        )
        return (
            None if data is None else Contact.from_json(reference, self.cipher.decrypt_json(data))
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
        self, message: Message, values: Mapping[str, Any], *, status: Status | None = None
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


class SuppressionList:
    """Addresses that bounced for good (docs/reference/notify-anchor.md §1 "Bounce / complaint
    handling"), kept as keyed digests so the list itself holds no personal data."""

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def add(self, address: str, channel: str, reason: str, now: datetime) -> None:
        statement = dialect_insert(self.session, suppressions).values(
            address_digest=self.cipher.lookup_digest(address),
            channel=channel,
            reason=reason[:FAILURE_REASON_LENGTH],
            suppressed_at=now,
        )
        await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=[suppressions.c.address_digest])
        )

    async def suppressed(self, addresses: Sequence[str]) -> set[str]:
        """Which of `addresses` are on the list, under any listed look-up key (a rotation)."""
        if not addresses:
            return set()
        by_digest = {d: a for a in addresses for d in self.cipher.lookup_digests(a)}
        found = await self.session.scalars(
            select(suppressions.c.address_digest).where(
                suppressions.c.address_digest.in_(list(by_digest))
            )
        )
        return {by_digest[digest] for digest in found}


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT on both supported databases."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
