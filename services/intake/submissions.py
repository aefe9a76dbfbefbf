"""Submitting a complaint: the one use case every channel (web, API, email, staff) goes through.

One pass downwards. The complaint arrives already parsed (schemas.py, email/questions.py); the
domain decides everything about it (eligibility, a likely earlier complaint, next steps, who can
help, the event); then, in one transaction, the complaint (personal data encrypted), the
idempotency key with the answer, and `redress.complaint.received` in the outbox are saved.

A repeated Idempotency-Key replays the first answer; a likely resubmission is linked to the
earlier reference (`duplicate_of`), never refused.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.intake.domain import (
    Complaint,
    IntakeRules,
    new_reference,
    new_tracking_token,
    receive,
)
from services.intake.schemas import ComplaintAccepted
from services.intake.store import (
    ComplaintStore,
    DirectoryStore,
    DocumentStore,
    DuplicateComplaintError,
    IntakeStores,
    NewDocument,
)
from shared.directory import Entry
from shared.events import ComplaintDocument
from shared.kit.work import UnitOfWork
from shared.topics import INTAKE_COMPLAINTS

# Attempts at drawing an unused reference before giving up (collisions are ~1 in 10^9 each).
REFERENCE_ATTEMPTS = 5


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


class UnknownOrganisationError(Exception):
    """`organisation.id` names no entry of the directory."""


@dataclass(frozen=True)
class Submission:
    accepted: ComplaintAccepted
    replayed: bool


class ComplaintIntake:
    def __init__(self, uow: UnitOfWork[IntakeStores], rules: IntakeRules) -> None:
        self.uow = uow
        self.rules = rules

    async def submit(
        self,
        complaint: Complaint,
        *,
        idempotency_key: str | None,
        now: datetime,
        documents: Sequence[NewDocument] = (),
        enquiry_reference: str | None = None,
    ) -> Submission:
        """Take in one complaint received at `now`. Raises IdempotencyConflictError when the key
        was used for a different complaint. `documents` (already sealed and stored, documents.py)
        are recorded with it, and so are those kept with `enquiry_reference`, the emailed
        enquiry it completes; the event lists them all. A replayed submission records none: the
        caller removes their blobs (`Submission.replayed`)."""
        fingerprint = complaint.fingerprint()
        if idempotency_key and (replay := await self._replay(idempotency_key, fingerprint)):
            return replay
        try:
            accepted = await self._take_in(
                complaint, idempotency_key, now, documents, enquiry_reference
            )
        except DuplicateComplaintError:
            # Two requests with one key raced; the loser answers with the winner's result.
            if idempotency_key and (replay := await self._replay(idempotency_key, fingerprint)):
                return replay
            raise
        return Submission(accepted, replayed=False)

    async def _replay(self, key: str, fingerprint: str) -> Submission | None:
        async with self.uow.reading() as stores:
            stored = await stores.complaints.by_idempotency_key(key)
        if stored is None:
            return None
        if stored.request_fingerprint != fingerprint:
            raise IdempotencyConflictError
        if stored.response is None:  # anonymised by retention: the key can't be replayed
            raise IdempotencyConflictError
        return Submission(ComplaintAccepted.model_validate(stored.response), replayed=True)

    async def _take_in(
        self,
        complaint: Complaint,
        idempotency_key: str | None,
        now: datetime,
        documents: Sequence[NewDocument],
        enquiry_reference: str | None,
    ) -> ComplaintAccepted:
        tracking_token = new_tracking_token(secrets.token_bytes)
        async with self.uow.transaction() as work:
            store = work.stores.complaints
            reference = await self._unused_reference(store, now)
            listed = await _listed(work.stores.directory, complaint)
            person = complaint.complainant
            earlier = await store.recent_from_same_person(
                since=now - timedelta(days=self.rules.duplicate_window_days),
                organisation=complaint.organisation.name,
                name=person.name,
                email=person.email,
                phone=person.phone,
            )
            received = receive(
                complaint,
                complaint_id=str(uuid.uuid4()),
                reference=reference,
                tracking_token=tracking_token,
                now=now,
                earlier=earlier,
                rules=self.rules,
                listed=listed,
            )
            accepted = ComplaintAccepted.of(received)
            await store.add(
                received, idempotency_key=idempotency_key, response=accepted.model_dump(mode="json")
            )
            summaries = await _record_documents(
                work.stores.documents, reference, documents, enquiry_reference
            )
            event = received.event().model_copy(update={"documents": summaries})
            await work.emit(INTAKE_COMPLAINTS, event, subject=reference)
        return accepted

    async def _unused_reference(self, store: ComplaintStore, now: datetime) -> str:
        for _ in range(REFERENCE_ATTEMPTS):
            reference = new_reference(now, secrets.choice)
            if not await store.reference_exists(reference):
                return reference
        raise RuntimeError("could not draw an unused reference")


async def _record_documents(
    store: DocumentStore,
    reference: str,
    documents: Sequence[NewDocument],
    enquiry_reference: str | None,
) -> list[ComplaintDocument]:
    """The complaint's documents recorded under its reference: those sent with it, and those kept
    with the emailed enquiry it completes. What the event says of them (no names)."""
    earlier = []
    if enquiry_reference is not None:
        earlier = await store.of_enquiry(enquiry_reference)
        await store.attach_enquiry(enquiry_reference, reference)
    for document in documents:
        await store.add(document, complaint_reference=reference)
    return [d.summary() for d in earlier] + [d.summary() for d in documents]


async def _listed(directory: DirectoryStore, complaint: Complaint) -> Entry | None:
    """The directory entry chosen (`organisation.id`, from the form's suggestions) or matching
    what was typed; None when nothing matches, so public events say "unlisted"."""
    entries = await directory.load()
    chosen = complaint.organisation.id
    if chosen is None:
        return entries.match(complaint.organisation.name)
    entry = entries.get(chosen)
    if entry is None:
        raise UnknownOrganisationError
    return entry
