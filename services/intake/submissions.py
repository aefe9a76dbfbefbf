"""Submitting a complaint: the one use case every channel (web, API, email, staff) goes through.

Save first, in one transaction: the complaint (personal data encrypted), the idempotency key with
the answer, and the `redress.complaint.received` event in the outbox. A repeated Idempotency-Key
replays the first answer; a likely resubmission is linked to the earlier reference, not refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from services.intake.domain import (
    DuplicateKey,
    IntakeRules,
    advocacy_services,
    check_eligibility,
    likely_duplicate,
    new_reference,
    new_tracking_token,
    next_steps_after_submission,
    normalise_text,
)
from services.intake.schemas import (
    AdvocacyServiceOut,
    ComplaintAccepted,
    ComplaintRequest,
    EligibilityResponse,
)
from services.intake.store import ComplaintStore, StoredComplaint
from shared.crypto import Cipher
from shared.db import Database
from shared.messaging import Messaging
from shared.topics import INTAKE_COMPLAINTS

# Attempts at drawing an unused reference before giving up (collisions are ~1 in 10^9 each).
REFERENCE_ATTEMPTS = 5


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


@dataclass(frozen=True)
class Submission:
    accepted: ComplaintAccepted
    replayed: bool


def fingerprint(request: ComplaintRequest) -> str:
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ComplaintIntake:
    def __init__(
        self, db: Database, messaging: Messaging, cipher: Cipher, rules: IntakeRules
    ) -> None:
        self.db = db
        self.messaging = messaging
        self.cipher = cipher
        self.rules = rules

    async def submit(
        self, request: ComplaintRequest, *, idempotency_key: str | None, now: datetime | None = None
    ) -> Submission:
        now = now or datetime.now(UTC)
        request_fingerprint = fingerprint(request)
        if idempotency_key:
            replay = await self._replay(idempotency_key, request_fingerprint)
            if replay is not None:
                return replay
        try:
            accepted = await self._store(request, idempotency_key, request_fingerprint, now)
        except IntegrityError:
            # Two requests with one key raced; the loser answers with the winner's result.
            if idempotency_key and (
                replay := await self._replay(idempotency_key, request_fingerprint)
            ):
                return replay
            raise
        self.messaging.committed()
        return Submission(accepted, replayed=False)

    async def _replay(self, key: str, request_fingerprint: str) -> Submission | None:
        async with self.db.sessions() as session:
            stored = await ComplaintStore(session, self.cipher).by_idempotency_key(key)
        if stored is None:
            return None
        if stored.request_fingerprint != request_fingerprint:
            raise IdempotencyConflictError
        if stored.response is None:  # anonymised by retention: the key can't be replayed
            raise IdempotencyConflictError
        return Submission(ComplaintAccepted.model_validate(stored.response), replayed=True)

    async def _store(
        self,
        request: ComplaintRequest,
        idempotency_key: str | None,
        request_fingerprint: str,
        now: datetime,
    ) -> ComplaintAccepted:
        eligibility = check_eligibility(request, now.date(), self.rules)
        tracking_token = new_tracking_token(secrets.token_bytes)
        complaint_id = str(uuid.uuid4())
        async with self.db.transaction() as session:
            store = ComplaintStore(session, self.cipher)
            reference = await self._unused_reference(store, now)
            duplicate_of = await self._likely_duplicate_of(store, request, reference, now)
            accepted = ComplaintAccepted(
                reference=reference,
                tracking_token=tracking_token,
                received_at=now,
                next_steps=next_steps_after_submission(eligibility, self.rules),
                advocacy_services=[
                    AdvocacyServiceOut.from_domain(s)
                    for s in advocacy_services(request.organisation.sector, request.needs_support)
                ],
                eligibility=EligibilityResponse.from_result(eligibility),
            )
            event = request.to_event(
                complaint_id=complaint_id,
                reference=reference,
                received_at=now,
                eligibility=eligibility,
                tracking_token=tracking_token,
                duplicate_of=duplicate_of,
            )
            await store.add(
                complaint_id=complaint_id,
                reference=reference,
                received_at=now,
                channel=request.channel.value,
                organisation_key=normalise_text(request.organisation.name),
                sector=request.organisation.sector.value,
                personal=request.model_dump(mode="json"),
                email=request.complainant.email,
                phone=request.complainant.phone,
                name=request.complainant.name,
                duplicate_of=duplicate_of,
                idempotency_key=idempotency_key,
                request_fingerprint=request_fingerprint,
                response=accepted.model_dump(mode="json"),
                eligibility=eligibility.flags.model_dump(mode="json"),
            )
            await self.messaging.emit(session, INTAKE_COMPLAINTS, event, subject=reference)
        return accepted

    async def _unused_reference(self, store: ComplaintStore, now: datetime) -> str:
        for _ in range(REFERENCE_ATTEMPTS):
            reference = new_reference(now, secrets.choice)
            if not await store.reference_exists(reference):
                return reference
        raise RuntimeError("could not draw an unused reference")

    async def _likely_duplicate_of(
        self, store: ComplaintStore, request: ComplaintRequest, reference: str, now: datetime
    ) -> str | None:
        earlier = await store.recent_from_same_person(
            since=now - timedelta(days=self.rules.duplicate_window_days),
            organisation_key=normalise_text(request.organisation.name),
            email=request.complainant.email,
            phone=request.complainant.phone,
            name=request.complainant.name,
        )
        candidates = [_duplicate_key_of(stored) for stored in earlier if stored.personal]
        return likely_duplicate(request.duplicate_key(reference, now), candidates, now, self.rules)


def _duplicate_key_of(stored: StoredComplaint) -> DuplicateKey:
    personal = stored.personal or {}
    complainant = personal["complainant"]
    return DuplicateKey(
        reference=stored.reference,
        received_at=stored.received_at,
        name=complainant["name"],
        organisation_name=personal["organisation"]["name"],
        summary=personal["summary"],
        email=complainant.get("email"),
        phone=complainant.get("phone"),
        address=complainant.get("address"),
    )
