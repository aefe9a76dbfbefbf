"""Intake's own database: complaints (personal data encrypted), idempotency keys, outbox, inbox,
and the email channel's incomplete complaints and the mails it has already handled.

`IntakeStores` is what a use case is handed (through the unit of work, shared/kit/work.py);
tests/kit/fakes/intake.py has the in-memory stores the use-case unit tests run on. A store
raises its own errors for what its use cases must tell apart (a unique key already taken),
never SQLAlchemy's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    String,
    Table,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain import DuplicateKey, Received, normalise_text
from shared.crypto import Cipher
from shared.db import UtcDateTime
from shared.kit.tables import rowcount, service_tables

metadata, outbox, inbox = service_tables()

complaints = Table(
    "complaints",
    metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("organisation_key", String(200), nullable=False, index=True),
    Column("sector", String(20), nullable=False),
    # Everything that identifies the complainant, as one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=True),
    # Keyed digests, so duplicates can be found without decrypting every complaint.
    Column("email_digest", String(64), nullable=True, index=True),
    Column("phone_digest", String(64), nullable=True, index=True),
    Column("name_digest", String(64), nullable=True, index=True),
    Column("duplicate_of", String(32), nullable=True),
    Column("idempotency_key", String(200), nullable=True, unique=True),
    Column("request_fingerprint", String(64), nullable=True),
    # The 201 answer (it holds the tracking token), encrypted, replayed for a repeated key.
    Column("response", LargeBinary, nullable=True),
    Column("eligibility", JSON, nullable=False),
    Column("case_closed_at", UtcDateTime(), nullable=True),
    Column("anonymised_at", UtcDateTime(), nullable=True),
)

# Mails to the complaints address that lacked facts we need: kept (encrypted) while we ask the
# sender for them by email. Completed ones drop their personal data: it then lives in complaints.
incomplete_email_complaints = Table(
    "incomplete_email_complaints",
    metadata,
    Column("enquiry_reference", String(16), primary_key=True),
    # message_key of the first mail; also the Idempotency-Key of the complaint it becomes.
    Column("source_message_key", String(100), nullable=False, unique=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False, index=True),
    # Keyed digest of the sender's address: a reply completes the enquiry only from them.
    Column("sender_digest", String(64), nullable=True),
    # The sender, the subject and what the mails told us, as one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=True),
    Column("reply_pending", Boolean, nullable=False, default=False),
    Column("replies_sent", Integer, nullable=False, default=0),
    Column("completed_reference", String(32), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),
)

# Every mail the listener has acted on, by keyed digest of its message key (no personal data),
# so a re-delivered mail is recognised and never acted on twice.
handled_emails = Table(
    "handled_emails",
    metadata,
    Column("message_digest", String(64), primary_key=True),
    Column("handled_at", UtcDateTime(), nullable=False),
    Column("enquiry_reference", String(16), nullable=True),
)


class DuplicateComplaintError(Exception):
    """The reference or the Idempotency-Key is already taken (another request won a race)."""


class AlreadyHandledError(Exception):
    """This mail, or this enquiry reference, was recorded by a concurrent delivery."""


@dataclass(frozen=True)
class StoredComplaint:
    complaint_id: str
    reference: str
    received_at: datetime
    organisation_key: str
    personal: dict[str, Any] | None
    request_fingerprint: str | None
    response: dict[str, Any] | None


@dataclass(frozen=True)
class IntakeStores:
    """Intake's stores, bound to one transaction."""

    complaints: ComplaintStore
    emails: EmailStore


def intake_stores(cipher: Cipher) -> Callable[[AsyncSession], IntakeStores]:
    """How the unit of work binds intake's stores to a session."""
    return lambda session: IntakeStores(
        ComplaintStore(session, cipher), EmailStore(session, cipher)
    )


class ComplaintStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def add(
        self, received: Received, *, idempotency_key: str | None, response: dict[str, Any]
    ) -> None:
        """Keep a received complaint with the answer given for it (replayed for a repeated
        Idempotency-Key). Raises DuplicateComplaintError if its reference or key is taken."""
        complaint = received.complaint
        person = complaint.complainant
        digest = self.cipher.lookup_digest
        try:
            await self.session.execute(
                complaints.insert().values(
                    complaint_id=received.complaint_id,
                    reference=received.reference,
                    received_at=received.received_at,
                    channel=complaint.channel.value,
                    organisation_key=normalise_text(complaint.organisation.name),
                    sector=complaint.organisation.sector.value,
                    personal_data=self.cipher.encrypt_json(complaint.record()),
                    email_digest=digest(person.email) if person.email else None,
                    phone_digest=digest(person.phone) if person.phone else None,
                    name_digest=digest(person.name),
                    duplicate_of=received.duplicate_of,
                    idempotency_key=idempotency_key,
                    request_fingerprint=complaint.fingerprint(),
                    response=self.cipher.encrypt_json(response),
                    eligibility=received.eligibility.flags.model_dump(mode="json"),
                )
            )
        except IntegrityError as error:
            raise DuplicateComplaintError(received.reference) from error

    async def by_idempotency_key(self, key: str) -> StoredComplaint | None:
        row = (
            await self.session.execute(
                select(complaints).where(complaints.c.idempotency_key == key)
            )
        ).first()
        return None if row is None else self._stored(row)

    async def reference_exists(self, reference: str) -> bool:
        found = await self.session.scalar(
            select(complaints.c.reference).where(complaints.c.reference == reference)
        )
        return found is not None

    async def recent_from_same_person(
        self, *, since: datetime, organisation: str, name: str, email: str | None, phone: str | None
    ) -> list[DuplicateKey]:
        """Complaints about `organisation` since `since` that share the person's name, email or
        phone, found by keyed digests (nothing is decrypted to look)."""
        digest = self.cipher.lookup_digest
        same_person = [complaints.c.name_digest == digest(name)]
        if email:
            same_person.append(complaints.c.email_digest == digest(email))
        if phone:
            same_person.append(complaints.c.phone_digest == digest(phone))
        rows = await self.session.execute(
            select(complaints).where(
                and_(
                    complaints.c.received_at >= since,
                    complaints.c.organisation_key == normalise_text(organisation),
                    complaints.c.anonymised_at.is_(None),
                    or_(*same_person),
                )
            )
        )
        found = [self._stored(row) for row in rows]
        return [
            DuplicateKey.of_record(stored.reference, stored.received_at, stored.personal)
            for stored in found
            if stored.personal
        ]

    async def mark_case_closed(self, reference: str, closed_at: datetime) -> None:
        await self.session.execute(
            update(complaints)
            .where(complaints.c.reference == reference)
            .values(case_closed_at=closed_at)
        )

    async def anonymise_closed_before(self, cutoff: datetime, now: datetime) -> int:
        """Retention: drop the personal data of complaints whose case closed before `cutoff`."""
        result = await self.session.execute(
            update(complaints)
            .where(complaints.c.case_closed_at < cutoff, complaints.c.anonymised_at.is_(None))
            .values(
                personal_data=None,
                response=None,
                email_digest=None,
                phone_digest=None,
                name_digest=None,
                anonymised_at=now,
            )
        )
        return rowcount(result)

    def _stored(self, row: Any) -> StoredComplaint:
        return StoredComplaint(
            complaint_id=row.complaint_id,
            reference=row.reference,
            received_at=row.received_at,
            organisation_key=row.organisation_key,
            personal=self.cipher.decrypt_json(row.personal_data) if row.personal_data else None,
            request_fingerprint=row.request_fingerprint,
            response=self.cipher.decrypt_json(row.response) if row.response else None,
        )


@dataclass(frozen=True)
class IncompleteEmailComplaint:
    enquiry_reference: str
    source_message_key: str
    received_at: datetime
    sender_digest: str | None
    personal: dict[str, Any] | None
    reply_pending: bool
    replies_sent: int
    completed_reference: str | None


class EmailStore:
    """The email channel's tables: incomplete complaints and handled mails."""

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def was_handled(self, message_key: str) -> bool:
        found = await self.session.scalar(
            select(handled_emails.c.message_digest).where(
                handled_emails.c.message_digest == self.cipher.lookup_digest(message_key)
            )
        )
        return found is not None

    async def mark_handled(
        self, message_key: str, now: datetime, enquiry_reference: str | None = None
    ) -> None:
        """Raises AlreadyHandledError when a concurrent delivery recorded the mail first."""
        try:
            await self.session.execute(
                handled_emails.insert().values(
                    message_digest=self.cipher.lookup_digest(message_key),
                    handled_at=now,
                    enquiry_reference=enquiry_reference,
                )
            )
        except IntegrityError as error:
            raise AlreadyHandledError from error

    def sent_by(self, enquiry: IncompleteEmailComplaint, sender: str) -> bool:
        """Whether `sender` is who began the enquiry (only they may complete it)."""
        return enquiry.sender_digest == self.cipher.lookup_digest(sender)

    async def reference_exists(self, enquiry_reference: str) -> bool:
        return await self.get(enquiry_reference) is not None

    async def add(
        self,
        *,
        enquiry_reference: str,
        source_message_key: str,
        sender: str,
        personal: dict[str, Any],
        now: datetime,
    ) -> None:
        """Raises AlreadyHandledError when a concurrent delivery of the same mail kept it first."""
        try:
            await self.session.execute(
                incomplete_email_complaints.insert().values(
                    enquiry_reference=enquiry_reference,
                    source_message_key=source_message_key,
                    received_at=now,
                    updated_at=now,
                    sender_digest=self.cipher.lookup_digest(sender),
                    personal_data=self.cipher.encrypt_json(personal),
                    reply_pending=True,
                    replies_sent=0,
                )
            )
        except IntegrityError as error:
            raise AlreadyHandledError from error

    async def get(self, enquiry_reference: str) -> IncompleteEmailComplaint | None:
        row = (
            await self.session.execute(
                select(incomplete_email_complaints).where(
                    incomplete_email_complaints.c.enquiry_reference == enquiry_reference
                )
            )
        ).first()
        return None if row is None else self._stored(row)

    async def update(self, enquiry_reference: str, personal: dict[str, Any], now: datetime) -> None:
        """New facts arrived but some are still missing: keep them and ask again."""
        await self.session.execute(
            update(incomplete_email_complaints)
            .where(incomplete_email_complaints.c.enquiry_reference == enquiry_reference)
            .values(
                personal_data=self.cipher.encrypt_json(personal),
                updated_at=now,
                reply_pending=True,
            )
        )

    async def complete(
        self, enquiry_reference: str, complaint_reference: str, now: datetime
    ) -> None:
        await self.session.execute(
            update(incomplete_email_complaints)
            .where(incomplete_email_complaints.c.enquiry_reference == enquiry_reference)
            .values(
                personal_data=None,
                sender_digest=None,
                reply_pending=False,
                completed_reference=complaint_reference,
                completed_at=now,
                updated_at=now,
            )
        )

    async def pending_replies(self, max_replies: int) -> list[IncompleteEmailComplaint]:
        rows = await self.session.execute(
            select(incomplete_email_complaints)
            .where(
                incomplete_email_complaints.c.reply_pending.is_(True),
                incomplete_email_complaints.c.replies_sent < max_replies,
            )
            .order_by(incomplete_email_complaints.c.updated_at)
        )
        return [self._stored(row) for row in rows]

    async def reply_sent(self, enquiry_reference: str) -> None:
        await self.session.execute(
            update(incomplete_email_complaints)
            .where(incomplete_email_complaints.c.enquiry_reference == enquiry_reference)
            .values(
                reply_pending=False,
                replies_sent=incomplete_email_complaints.c.replies_sent + 1,
            )
        )

    async def delete_untouched_since(self, cutoff: datetime) -> int:
        """Retention: forget incomplete complaints nobody has added to since `cutoff`."""
        result = await self.session.execute(
            delete(incomplete_email_complaints).where(
                incomplete_email_complaints.c.updated_at < cutoff
            )
        )
        return rowcount(result)

    def _stored(self, row: Any) -> IncompleteEmailComplaint:
        return IncompleteEmailComplaint(
            enquiry_reference=row.enquiry_reference,
            source_message_key=row.source_message_key,
            received_at=row.received_at,
            sender_digest=row.sender_digest,
            personal=self.cipher.decrypt_json(row.personal_data) if row.personal_data else None,
            reply_pending=bool(row.reply_pending),
            replies_sent=int(row.replies_sent),
            completed_reference=row.completed_reference,
        )
