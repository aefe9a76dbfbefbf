"""The needs-a-person queue (issue 10 item 8): emailed complaints intake could not complete.

Intake owns the email and the enquiry; staff reach them through intake's staff API (the console
on casework calls it with a short-lived staff token). A member of staff reads the mail as
received, what intake could read from it and what is missing, then either registers it as a
complaint with the facts filled in or closes it with a reason.

Exactly one complaint per enquiry, whoever is first: the complaint's Idempotency-Key is the
enquiry's first mail key, the same key the complainant's reply uses (email/receiving.py). A
double submit replays; a reply that got there first (or a staff submit racing it) meets that
key with different facts and is answered with the complaint already registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from pydantic import ValidationError

from services.intake.field_errors import FieldError, errors_by_field
from services.intake.schemas import ComplaintRequest
from services.intake.store import EnquiryState, IncompleteEmailComplaint, IntakeStores
from services.intake.submissions import ComplaintIntake, IdempotencyConflictError
from shared.kit.work import UnitOfWork

# The most enquiries one queue page lists. Design choice: the queue is worked oldest first and
# a day's incomplete mail is a few dozen at most; a longer list is cut, never silently.
QUEUE_LIMIT: Final = 200


class CloseReason(StrEnum):
    NOT_A_COMPLAINT = "not_a_complaint"
    ANSWERED_BY_PHONE = "answered_by_phone"
    ALREADY_COMPLAINED = "already_complained"
    NOT_FOR_US = "not_for_us"


class EnquiryNotFoundError(Exception):
    pass


class EnquiryClosedError(Exception):
    """A closed enquiry is not registered; the complainant's reply re-opens it."""


class EnquiryCompletedError(Exception):
    """A registered enquiry cannot be closed."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


@dataclass(frozen=True)
class Registered:
    enquiry_reference: str
    reference: str  # the complaint's reference
    registered_now: bool  # False: it was registered before (a double submit, or the reply)


def _payload(enquiry: IncompleteEmailComplaint) -> dict[str, Any]:
    personal = enquiry.personal or {}
    complaint = personal.get("complaint") or {}
    payload = complaint.get("request_payload")
    return dict(payload) if isinstance(payload, dict) else {}


def what_is_missing(payload: dict[str, Any], today: date) -> list[FieldError]:
    """The facts a complaint still lacks, worded as the complaint form words them."""
    try:
        ComplaintRequest.model_validate(payload, context={"today": today})
    except ValidationError as error:
        return errors_by_field(error)
    return []


def summary_of(enquiry: IncompleteEmailComplaint, now: datetime) -> dict[str, Any]:
    """One row of the queue: enough to choose what to open, nothing more."""
    payload = _payload(enquiry)
    organisation = payload.get("organisation") or {}
    complainant = payload.get("complainant") or {}
    return {
        "enquiry_reference": enquiry.enquiry_reference,
        "status": enquiry.state.value,
        "received_at": enquiry.received_at.isoformat(),
        "updated_at": (enquiry.updated_at or enquiry.received_at).isoformat(),
        "replies_sent": enquiry.replies_sent,
        "complainant_name": complainant.get("name"),
        "organisation_name": organisation.get("name"),
        "missing": [e.field for e in what_is_missing(payload, now.date())],
    }


def detail_of(enquiry: IncompleteEmailComplaint, now: datetime) -> dict[str, Any]:
    personal = enquiry.personal or {}
    payload = _payload(enquiry)
    open_now = enquiry.state is EnquiryState.OPEN or enquiry.state is EnquiryState.CLOSED
    missing = what_is_missing(payload, now.date()) if open_now and payload else []
    return {
        **summary_of(enquiry, now),
        "sender": personal.get("sender"),
        "subject": personal.get("subject"),
        "mails": list(personal.get("mails") or []),
        "read": payload,
        "missing": [{"field": e.field, "message": e.message} for e in missing],
        "completed_reference": enquiry.completed_reference,
        "completed_by": enquiry.completed_by,
        "closed_at": enquiry.closed_at.isoformat() if enquiry.closed_at else None,
        "closed_reason": enquiry.closed_reason,
        "closed_by": enquiry.closed_by,
    }


class EnquiryDesk:
    def __init__(self, uow: UnitOfWork[IntakeStores], intake: ComplaintIntake) -> None:
        self.uow = uow
        self.intake = intake

    async def queue(self, now: datetime) -> list[dict[str, Any]]:
        async with self.uow.reading() as stores:
            found = await stores.emails.open_enquiries(QUEUE_LIMIT)
        return [summary_of(enquiry, now) for enquiry in found]

    async def enquiry(self, enquiry_reference: str, now: datetime) -> dict[str, Any]:
        return detail_of(await self._get(enquiry_reference), now)

    async def register(
        self, enquiry_reference: str, request: ComplaintRequest, staff_id: str, now: datetime
    ) -> Registered:
        """Register the enquiry as `request` (completed by staff); exactly once."""
        enquiry = await self._get(enquiry_reference)
        if enquiry.completed_reference is not None:
            return Registered(enquiry_reference, enquiry.completed_reference, registered_now=False)
        if enquiry.state is EnquiryState.CLOSED:
            raise EnquiryClosedError
        key = enquiry.source_message_key
        try:
            # The enquiry's emailed attachments become the complaint's (documents.py).
            submission = await self.intake.submit(
                request.to_complaint(),
                idempotency_key=key,
                now=now,
                enquiry_reference=enquiry.enquiry_reference,
            )
            reference, registered_now = submission.accepted.reference, not submission.replayed
        except IdempotencyConflictError:
            # The complainant's reply (or an earlier submit with other facts) registered it.
            async with self.uow.reading() as stores:
                stored = await stores.complaints.by_idempotency_key(key)
            if stored is None:
                raise
            reference, registered_now = stored.reference, False
        async with self.uow.transaction() as work:
            await work.stores.emails.complete(
                enquiry_reference, reference, now, completed_by=staff_id
            )
        return Registered(enquiry_reference, reference, registered_now)

    async def close(
        self, enquiry_reference: str, reason: CloseReason, staff_id: str, now: datetime
    ) -> dict[str, Any]:
        """Close an open enquiry with a reason; closing a closed one again changes nothing."""
        async with self.uow.transaction() as work:
            closed = await work.stores.emails.close(enquiry_reference, reason.value, staff_id, now)
        enquiry = await self._get(enquiry_reference)
        if not closed and enquiry.completed_reference is not None:
            raise EnquiryCompletedError(enquiry.completed_reference)
        return detail_of(enquiry, now)

    async def _get(self, enquiry_reference: str) -> IncompleteEmailComplaint:
        async with self.uow.reading() as stores:
            enquiry = await stores.emails.get(enquiry_reference)
        if enquiry is None:
            raise EnquiryNotFoundError
        return enquiry
