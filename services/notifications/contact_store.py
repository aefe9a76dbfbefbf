"""Who notifications writes to: the complainants' contact details (encrypted), when each case
closed (the contacts' retention clock), and the suppression list of addresses that bounced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain.records import FAILURE_REASON_LENGTH, Contact
from services.notifications.tables import case_closures, contacts, suppressions
from shared.crypto import Cipher
from shared.kit.tables import rowcount
from shared.kit.tables import upsert_statement as dialect_insert


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
