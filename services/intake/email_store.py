"""The email channel's store: incomplete email complaints (enquiries) and the mails handled.

An enquiry is open while we wait for the complainant's reply and it sits in the console's
needs-a-person queue; it ends completed (registered as a complaint, by the reply or by staff) or
closed by staff with a reason. A reply to a closed enquiry re-opens it: nothing they send is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.tables import handled_emails, incomplete_email_complaints
from shared.crypto import Cipher
from shared.kit.tables import rowcount


class AlreadyHandledError(Exception):
    """This mail, or this enquiry reference, was recorded by a concurrent delivery."""


class EnquiryState(StrEnum):
    OPEN = "open"  # waiting for the complainant or for a member of staff
    COMPLETED = "completed"  # registered as a complaint
    CLOSED = "closed"  # closed by staff with a reason


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
    updated_at: datetime | None = None
    completed_by: str | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    closed_by: str | None = None

    @property
    def state(self) -> EnquiryState:
        if self.completed_reference is not None:
            return EnquiryState.COMPLETED
        if self.closed_at is not None:
            return EnquiryState.CLOSED
        return EnquiryState.OPEN


class EmailStore:
    """The email channel's tables: incomplete complaints and handled mails."""

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def was_handled(self, message_key: str) -> bool:
        found = await self.session.scalar(
            select(handled_emails.c.message_digest).where(
                handled_emails.c.message_digest.in_(self.cipher.lookup_digests(message_key))
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
        return enquiry.sender_digest in self.cipher.lookup_digests(sender)

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
                # A reply re-opens an enquiry staff had closed: what they sent is never dropped.
                closed_at=None,
                closed_reason=None,
                closed_by=None,
            )
        )

    async def complete(
        self,
        enquiry_reference: str,
        complaint_reference: str,
        now: datetime,
        completed_by: str | None = None,
    ) -> None:
        """Registered as `complaint_reference`; the first completion stands (the reply and a
        member of staff may race, and both name the same complaint)."""
        table = incomplete_email_complaints
        await self.session.execute(
            update(table)
            .where(table.c.enquiry_reference == enquiry_reference)
            .where(table.c.completed_reference.is_(None))
            .values(
                personal_data=None,
                sender_digest=None,
                reply_pending=False,
                completed_reference=complaint_reference,
                completed_at=now,
                completed_by=completed_by,
                updated_at=now,
            )
        )

    async def close(self, enquiry_reference: str, reason: str, by: str, now: datetime) -> bool:
        """Staff closed an open enquiry (no more questions are sent); False if it was not open."""
        table = incomplete_email_complaints
        result = await self.session.execute(
            update(table)
            .where(table.c.enquiry_reference == enquiry_reference)
            .where(table.c.completed_reference.is_(None), table.c.closed_at.is_(None))
            .values(
                closed_at=now,
                closed_reason=reason,
                closed_by=by,
                reply_pending=False,
                updated_at=now,
            )
        )
        return rowcount(result) == 1

    async def open_enquiries(self, limit: int) -> list[IncompleteEmailComplaint]:
        """The needs-a-person queue: open enquiries, oldest first."""
        table = incomplete_email_complaints
        rows = await self.session.execute(
            select(table)
            .where(table.c.completed_reference.is_(None), table.c.closed_at.is_(None))
            .order_by(table.c.received_at, table.c.enquiry_reference)
            .limit(limit)
        )
        return [self._stored(row) for row in rows]

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
            updated_at=row.updated_at,
            completed_by=row.completed_by,
            closed_at=row.closed_at,
            closed_reason=row.closed_reason,
            closed_by=row.closed_by,
        )
