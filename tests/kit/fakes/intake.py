"""In-memory intake stores (services/intake/store.py) for the use-case unit tests."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.intake.domain import DuplicateKey, Received, normalise_text
from services.intake.store import (
    AlreadyHandledError,
    DuplicateComplaintError,
    EnquiryState,
    IncompleteEmailComplaint,
    IntakeStores,
    NewDocument,
    StoredComplaint,
    StoredDocument,
)
from shared.directory import Directory, Entry, read_seed


def _same(value: str | None) -> str | None:
    """What the real stores compare by keyed digest: the value stripped and case-folded."""
    return None if value is None else value.strip().casefold()


@dataclass
class _Row:
    received: Received
    idempotency_key: str | None
    response: dict[str, Any] | None
    record: dict[str, Any] | None
    case_closed_at: datetime | None = None
    anonymised_at: datetime | None = None


class FakeComplaintStore:
    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}

    async def add(
        self, received: Received, *, idempotency_key: str | None, response: dict[str, Any]
    ) -> None:
        taken_key = idempotency_key is not None and any(
            row.idempotency_key == idempotency_key for row in self.rows.values()
        )
        if received.reference in self.rows or taken_key:
            raise DuplicateComplaintError(received.reference)
        self.rows[received.reference] = _Row(
            received, idempotency_key, copy.deepcopy(response), received.complaint.record()
        )

    async def by_idempotency_key(self, key: str) -> StoredComplaint | None:
        for reference, row in self.rows.items():
            if row.idempotency_key == key:
                return self._stored(reference, row)
        return None

    async def reference_exists(self, reference: str) -> bool:
        return reference in self.rows

    async def recent_from_same_person(
        self, *, since: datetime, organisation: str, name: str, email: str | None, phone: str | None
    ) -> list[DuplicateKey]:
        found = []
        for reference, row in self.rows.items():
            person = row.received.complaint.complainant
            same_person = (
                _same(person.name) == _same(name)
                or (email is not None and _same(person.email) == _same(email))
                or (phone is not None and _same(person.phone) == _same(phone))
            )
            if (
                row.received.received_at >= since
                and normalise_text(row.received.complaint.organisation.name)
                == normalise_text(organisation)
                and row.anonymised_at is None
                and same_person
                and row.record is not None
            ):
                found.append(
                    DuplicateKey.of_record(reference, row.received.received_at, row.record)
                )
        return found

    async def mark_case_closed(self, reference: str, closed_at: datetime) -> None:
        if reference in self.rows:
            self.rows[reference].case_closed_at = closed_at

    async def anonymise_closed_before(self, cutoff: datetime, now: datetime) -> int:
        due = [
            row
            for row in self.rows.values()
            if row.case_closed_at is not None
            and row.case_closed_at < cutoff
            and row.anonymised_at is None
        ]
        for row in due:
            row.record, row.response, row.anonymised_at = None, None, now
        return len(due)

    def _stored(self, reference: str, row: _Row) -> StoredComplaint:
        return StoredComplaint(
            complaint_id=row.received.complaint_id,
            reference=reference,
            received_at=row.received.received_at,
            organisation_key=normalise_text(row.received.complaint.organisation.name),
            personal=copy.deepcopy(row.record),
            request_fingerprint=row.received.complaint.fingerprint(),
            response=copy.deepcopy(row.response),
        )


class FakeEmailStore:
    def __init__(self) -> None:
        self.handled: dict[str, str | None] = {}
        self.enquiries: dict[str, IncompleteEmailComplaint] = {}
        self.updated_at: dict[str, datetime] = {}

    async def was_handled(self, message_key: str) -> bool:
        return message_key in self.handled

    async def mark_handled(
        self, message_key: str, now: datetime, enquiry_reference: str | None = None
    ) -> None:
        if message_key in self.handled:
            raise AlreadyHandledError
        self.handled[message_key] = enquiry_reference

    def sent_by(self, enquiry: IncompleteEmailComplaint, sender: str) -> bool:
        return enquiry.sender_digest == _same(sender)

    async def reference_exists(self, enquiry_reference: str) -> bool:
        return enquiry_reference in self.enquiries

    async def add(
        self,
        *,
        enquiry_reference: str,
        source_message_key: str,
        sender: str,
        personal: dict[str, Any],
        now: datetime,
    ) -> None:
        taken = any(e.source_message_key == source_message_key for e in self.enquiries.values())
        if enquiry_reference in self.enquiries or taken:
            raise AlreadyHandledError
        self.enquiries[enquiry_reference] = IncompleteEmailComplaint(
            enquiry_reference=enquiry_reference,
            source_message_key=source_message_key,
            received_at=now,
            sender_digest=_same(sender),
            personal=copy.deepcopy(personal),
            reply_pending=True,
            replies_sent=0,
            completed_reference=None,
        )
        self.updated_at[enquiry_reference] = now

    async def get(self, enquiry_reference: str) -> IncompleteEmailComplaint | None:
        enquiry = self.enquiries.get(enquiry_reference)
        return (
            None if enquiry is None else replace(enquiry, personal=copy.deepcopy(enquiry.personal))
        )

    async def update(self, enquiry_reference: str, personal: dict[str, Any], now: datetime) -> None:
        self._change(
            enquiry_reference,
            personal=copy.deepcopy(personal),
            reply_pending=True,
            closed_at=None,
            closed_reason=None,
            closed_by=None,
        )
        self.updated_at[enquiry_reference] = now

    async def complete(
        self,
        enquiry_reference: str,
        complaint_reference: str,
        now: datetime,
        completed_by: str | None = None,
    ) -> None:
        enquiry = self.enquiries.get(enquiry_reference)
        if enquiry is None or enquiry.completed_reference is not None:
            return
        self._change(
            enquiry_reference,
            personal=None,
            sender_digest=None,
            reply_pending=False,
            completed_reference=complaint_reference,
            completed_by=completed_by,
        )
        self.updated_at[enquiry_reference] = now

    async def close(self, enquiry_reference: str, reason: str, by: str, now: datetime) -> bool:
        enquiry = self.enquiries.get(enquiry_reference)
        if enquiry is None or enquiry.state is not EnquiryState.OPEN:
            return False
        self._change(
            enquiry_reference,
            closed_at=now,
            closed_reason=reason,
            closed_by=by,
            reply_pending=False,
        )
        self.updated_at[enquiry_reference] = now
        return True

    async def open_enquiries(self, limit: int) -> list[IncompleteEmailComplaint]:
        found = [e for e in self.enquiries.values() if e.state is EnquiryState.OPEN]
        found.sort(key=lambda e: (e.received_at, e.enquiry_reference))
        return found[:limit]

    async def pending_replies(self, max_replies: int) -> list[IncompleteEmailComplaint]:
        pending = [
            e for e in self.enquiries.values() if e.reply_pending and e.replies_sent < max_replies
        ]
        return sorted(pending, key=lambda e: self.updated_at[e.enquiry_reference])

    async def reply_sent(self, enquiry_reference: str) -> None:
        enquiry = self.enquiries[enquiry_reference]
        self._change(enquiry_reference, reply_pending=False, replies_sent=enquiry.replies_sent + 1)

    async def delete_untouched_since(self, cutoff: datetime) -> int:
        stale = [ref for ref, at in self.updated_at.items() if at < cutoff]
        for reference in stale:
            del self.enquiries[reference], self.updated_at[reference]
        return len(stale)

    def _change(self, enquiry_reference: str, **values: Any) -> None:
        if enquiry_reference in self.enquiries:
            self.enquiries[enquiry_reference] = replace(self.enquiries[enquiry_reference], **values)


class FakeDirectoryStore:
    """The directory in memory, holding the repository's seed file."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {entry.id: entry for entry in read_seed()}

    async def load(self) -> Directory:
        return Directory(self.entries.values())

    async def put(self, entry: Entry, *, by: str | None, now: datetime) -> bool:
        new = entry.id not in self.entries
        self.entries[entry.id] = entry
        return new

    async def seed(self, entries: Iterable[Entry]) -> int:
        new = [entry for entry in entries if entry.id not in self.entries]
        self.entries.update((entry.id, entry) for entry in new)
        return len(new)


class FakeDocumentStore:
    """In memory, as DocumentStore: rows by id, with the reference they belong to."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[NewDocument, str | None, str | None]] = {}

    async def add(
        self,
        document: NewDocument,
        *,
        complaint_reference: str | None = None,
        enquiry_reference: str | None = None,
    ) -> None:
        self.rows[document.document_id] = (document, complaint_reference, enquiry_reference)

    async def attach_enquiry(self, enquiry_reference: str, complaint_reference: str) -> None:
        for key, (document, complaint, enquiry) in list(self.rows.items()):
            if enquiry == enquiry_reference and complaint is None:
                self.rows[key] = (document, complaint_reference, enquiry)

    async def of_enquiry(self, enquiry_reference: str) -> list[StoredDocument]:
        return [
            _stored_document(document, complaint)
            for document, complaint, enquiry in self.rows.values()
            if enquiry == enquiry_reference
        ]

    async def kept_bytes(self, *, enquiry_reference: str) -> int:
        return sum(
            document.size
            for document, _, enquiry in self.rows.values()
            if enquiry == enquiry_reference and document.object_key is not None
        )


def _stored_document(document: NewDocument, complaint: str | None) -> StoredDocument:
    return StoredDocument(
        document_id=document.document_id,
        complaint_reference=complaint,
        name=document.name,
        size=document.size,
        kind=document.kind,
        media_type=document.media_type,
        added_by=document.added_by,
        added_at=document.added_at,
        refused_reason=document.refused_reason,
        object_key=document.object_key,
        wrapped_key=document.wrapped_key,
    )


def fake_intake_stores() -> IntakeStores:
    return IntakeStores(
        complaints=FakeComplaintStore(),  # type: ignore[arg-type]
        emails=FakeEmailStore(),  # type: ignore[arg-type]
        directory=FakeDirectoryStore(),  # type: ignore[arg-type]
        documents=FakeDocumentStore(),  # type: ignore[arg-type]
    )
