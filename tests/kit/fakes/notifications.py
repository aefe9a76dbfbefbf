"""In-memory notifications stores (services/notifications/store.py, contact_store.py,
instance_store.py) and providers that record what they were asked to send, for the use-case unit
tests only: the integration tests in tests/integration/notifications run the real stores on a real
database and the real providers against local SMTP and SMS servers.

The fakes keep the real stores' promises the use cases rely on: a dedupe key is added once, a
status change is a compare-and-set on (status, attempts), a due message needs a known contact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from services.notifications.domain.records import Contact, Message, NewMessage, Status
from services.notifications.providers import ProviderError
from services.notifications.store import LETTER, NotificationsStores

UNFINISHED = (Status.CREATED, Status.TEMPORARY_FAILURE)
MESSAGE_FIELDS = frozenset(f.name for f in dataclasses.fields(Message))


class FakeContactStore:
    def __init__(self) -> None:
        self.contacts: dict[str, Contact] = {}
        self.closed_at: dict[str, datetime] = {}

    async def upsert(self, contact: Contact, now: datetime) -> None:
        self.contacts[contact.reference] = contact

    async def mark_case_closed(self, reference: str, closed_at: datetime) -> None:
        self.closed_at.setdefault(reference, closed_at)

    async def delete_closed_before(self, cutoff: datetime) -> int:
        gone = [ref for ref, at in self.closed_at.items() if at < cutoff and ref in self.contacts]
        for reference in gone:
            del self.contacts[reference]
        return len(gone)

    async def get(self, reference: str) -> Contact | None:
        return self.contacts.get(reference)


@dataclass
class _Row:
    message: Message
    # Columns the Message record does not carry.
    columns: dict[str, Any] = field(default_factory=dict)


class FakeMessageStore:
    def __init__(self, contacts: FakeContactStore) -> None:
        self.rows: dict[str, _Row] = {}
        self._contacts = contacts

    async def add(self, message: NewMessage) -> bool:
        if any(row.message.dedupe_key == message.dedupe_key for row in self.rows.values()):
            return False
        self.rows[message.id] = _Row(_created(message))
        return True

    async def get(self, message_id: str) -> Message | None:
        row = self.rows.get(message_id)
        return None if row is None else row.message

    async def traceparent(self, message_id: str) -> str | None:
        return None  # the fakes keep no traces: unit tests check the sending, not the spans

    async def by_provider_id(self, provider_message_id: str) -> Message | None:
        found = [m for m in self.all() if m.provider_message_id == provider_message_id]
        return found[0] if found else None

    async def for_reference(self, reference: str) -> list[Message]:
        return [m for m in self.all() if m.reference == reference]

    async def due_first_attempts(self, now: datetime, limit: int) -> list[Message]:
        return self._due(lambda m: m.status is Status.CREATED, now, limit)

    async def due_retries(self, now: datetime, limit: int) -> list[Message]:
        def due(m: Message) -> bool:
            return (
                m.status is Status.TEMPORARY_FAILURE
                and m.next_attempt_at is not None
                and m.next_attempt_at <= now
            )

        return self._due(due, now, limit)

    async def sending_since(self, before: datetime, *, with_provider_id: bool) -> list[Message]:
        return [
            row.message
            for row in self.rows.values()
            if row.message.status is Status.SENDING
            and row.columns.get("last_attempt_at") is not None
            and row.columns["last_attempt_at"] < before
            and (row.message.provider_message_id is not None) == with_provider_id
            and row.message.channel != LETTER
        ]

    async def claims_of(self, instances: Iterable[str]) -> list[Message]:
        """`instances` is the fake instance store's `gone` (a set of ids, not a query)."""
        gone = set(instances)
        return [
            row.message
            for row in self.rows.values()
            if row.message.status is Status.SENDING
            and row.message.provider_message_id is None
            and row.message.channel != LETTER
            and row.columns.get("claimed_by") in gone
        ]

    async def letters(self, status: Status, limit: int) -> list[Message]:
        found = [
            m
            for m in self.all()
            if m.channel == LETTER and m.status is status and m.queued_for_print_at is not None
        ]
        return sorted(found, key=lambda m: (m.queued_for_print_at or m.created_at, m.id))[:limit]

    async def unfinished_created_before(self, cutoff: datetime) -> list[Message]:
        return [m for m in self.all() if m.created_at < cutoff and m.status in UNFINISHED]

    async def change(
        self, message: Message, values: Mapping[str, Any], *, status: Status | None = None
    ) -> bool:
        row = self.rows.get(message.id)
        if row is None or (row.message.status, row.message.attempts) != (
            message.status,
            message.attempts,
        ):
            return False
        on_record = {k: v for k, v in values.items() if k in MESSAGE_FIELDS}
        row.columns |= {k: v for k, v in values.items() if k not in MESSAGE_FIELDS}
        if status is not None:
            on_record["status"] = status
        row.message = dataclasses.replace(row.message, **on_record)
        return True

    async def redact_created_before(self, cutoff: datetime, now: datetime) -> int:
        redacted = 0
        for row in self.rows.values():
            m = row.message
            old = m.created_at < cutoff and "redacted_at" not in row.columns
            if old and m.status not in UNFINISHED:
                row.message = dataclasses.replace(
                    m, personalisation=None, rendered=None, recipient=None
                )
                row.columns["redacted_at"] = now
                redacted += 1
        return redacted

    def all(self) -> list[Message]:
        return sorted((row.message for row in self.rows.values()), key=lambda m: m.created_at)

    def _due(self, wanted: Any, now: datetime, limit: int) -> list[Message]:
        return [
            m
            for m in self.all()
            if wanted(m)
            and (m.send_after is None or m.send_after <= now)
            and m.reference in self._contacts.contacts
            and m.queued_for_print_at is None
        ][:limit]


def _created(message: NewMessage) -> Message:
    return Message(
        id=message.id,
        request_id=message.request_id,
        reference=message.reference,
        template=message.template,
        template_version=message.template_version,
        channel=message.channel,
        status=Status.CREATED,
        attempts=0,
        large_print=False,
        created_at=message.created_at,
        send_after=None,
        next_attempt_at=None,
        sent_at=None,
        delivered_at=None,
        failure_reason=None,
        provider_message_id=None,
        fragments=None,
        dedupe_key=message.dedupe_key,
        queued_for_print_at=None,
        personalisation=dict(message.personalisation),
        rendered=None,
        recipient=None,
    )


class FakeSuppressionList:
    """The real list keeps keyed digests; the fake keeps the addresses (it never leaves a test)."""

    def __init__(self) -> None:
        self.addresses: dict[str, str] = {}

    async def add(self, address: str, channel: str, reason: str, now: datetime) -> None:
        self.addresses.setdefault(address, reason)

    async def suppressed(self, addresses: Sequence[str]) -> set[str]:
        return {a for a in addresses if a in self.addresses}


@dataclass
class _Instance:
    slot: str | None
    last_seen_at: datetime
    stopped_at: datetime | None = None


class FakeInstanceStore:
    def __init__(self) -> None:
        self.instances: dict[str, _Instance] = {}

    async def beat(self, instance_id: str, slot: str | None, now: datetime) -> None:
        if instance_id in self.instances:
            self.instances[instance_id].last_seen_at = now
        else:
            self.instances[instance_id] = _Instance(slot, now)

    async def stopped(self, instance_id: str, now: datetime) -> None:
        if instance_id in self.instances:
            self.instances[instance_id].stopped_at = now

    def gone(self, me: str, slot: str | None, silent_since: datetime) -> set[str]:
        return {
            iid
            for iid, i in self.instances.items()
            if iid != me
            and (
                i.stopped_at is not None
                or i.last_seen_at < silent_since
                or (slot is not None and i.slot == slot)
            )
        }

    async def forget_silent_since(self, cutoff: datetime) -> int:
        silent = [iid for iid, i in self.instances.items() if i.last_seen_at < cutoff]
        for iid in silent:
            del self.instances[iid]
        return len(silent)


@dataclass
class FakeNotificationsStores:
    contacts: FakeContactStore = field(default_factory=FakeContactStore)
    suppressions: FakeSuppressionList = field(default_factory=FakeSuppressionList)
    instances: FakeInstanceStore = field(default_factory=FakeInstanceStore)
    messages: FakeMessageStore = field(init=False)

    def __post_init__(self) -> None:
        self.messages = FakeMessageStore(self.contacts)

    def as_stores(self) -> NotificationsStores:
        return NotificationsStores(
            contacts=self.contacts,  # type: ignore[arg-type]
            messages=self.messages,  # type: ignore[arg-type]
            suppressions=self.suppressions,  # type: ignore[arg-type]
            instances=self.instances,  # type: ignore[arg-type]
        )


@dataclass
class FakeEmail:
    """An email transport that records each mail; `refuse_with` makes it refuse them all."""

    sent: list[EmailMessage] = field(default_factory=list)
    refuse_with: ProviderError | None = None

    async def send(self, message: EmailMessage) -> str:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.sent.append(message)
        return f"<mail-{len(self.sent)}@fake>"


@dataclass
class FakeSms:
    """An SMS provider that records each text (to, body, our reference) and answers an id."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    refuse_with: ProviderError | None = None

    async def send(self, to_e164: str, body: str, reference: str) -> str:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.sent.append((to_e164, body, reference))
        return f"SM{len(self.sent):032d}"
