"""Intake's own database: complaints (personal data encrypted), idempotency keys, outbox, inbox,
the email channel's incomplete complaints and the mails it has already handled, and the documents
that came with complaints (document_store.py).

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

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.directory_store import DirectoryStore
from services.intake.document_store import DocumentStore, NewDocument, StoredDocument
from services.intake.domain import DuplicateKey, Received, normalise_text
from services.intake.email_store import (
    AlreadyHandledError,
    EmailStore,
    EnquiryState,
    IncompleteEmailComplaint,
)
from services.intake.tables import (
    complaints,
    handled_emails,
    inbox,
    incomplete_email_complaints,
    metadata,
    outbox,
)
from shared.crypto import Cipher
from shared.kit.tables import rowcount

__all__ = [
    "AlreadyHandledError",
    "ComplaintStore",
    "DirectoryStore",
    "DocumentStore",
    "DuplicateComplaintError",
    "EmailStore",
    "EnquiryState",
    "IncompleteEmailComplaint",
    "IntakeStores",
    "NewDocument",
    "StoredComplaint",
    "StoredDocument",
    "complaints",
    "handled_emails",
    "inbox",
    "incomplete_email_complaints",
    "intake_stores",
    "metadata",
    "outbox",
]


class DuplicateComplaintError(Exception):
    """The reference or the Idempotency-Key is already taken (another request won a race)."""


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
    directory: DirectoryStore
    documents: DocumentStore


def intake_stores(cipher: Cipher) -> Callable[[AsyncSession], IntakeStores]:
    """How the unit of work binds intake's stores to a session."""
    return lambda session: IntakeStores(
        ComplaintStore(session, cipher),
        EmailStore(session, cipher),
        DirectoryStore(session),
        DocumentStore(session, cipher),
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
        phone, found by keyed digests (nothing is decrypted to look) under any listed look-up key
        (rows not yet re-indexed after a rotation still match)."""
        digests = self.cipher.lookup_digests
        same_person = [complaints.c.name_digest.in_(digests(name))]
        if email:
            same_person.append(complaints.c.email_digest.in_(digests(email)))
        if phone:
            same_person.append(complaints.c.phone_digest.in_(digests(phone)))
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
