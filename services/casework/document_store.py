"""The `documents` table: one row per document on a case, what reads its sealed blob back, and
its name and description encrypted (they are the sender's words, and may name people)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.tables import documents
from shared.crypto import Cipher


class DocumentStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def add(self, *, display_name: str, description: str | None, **values: Any) -> None:
        await self.session.execute(
            documents.insert().values(
                display_name=self.cipher.encrypt(display_name),
                description=None if description is None else self.cipher.encrypt(description),
                **values,
            )
        )

    async def case_bytes(self, reference: str) -> int:
        """What the case's documents (those not removed) take, in plaintext bytes."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(documents.c.size), 0)).where(
                documents.c.reference == reference, documents.c.removed_at.is_(None)
            )
        )
        return int(total or 0)

    async def listing(self, reference: str) -> list[dict[str, Any]]:
        """The case's documents, oldest first, the removed ones left out."""
        rows = await self.session.execute(
            select(documents)
            .where(documents.c.reference == reference, documents.c.removed_at.is_(None))
            .order_by(documents.c.added_at, documents.c.document_id)
        )
        return [self._row(row._mapping) for row in rows]

    async def one(self, reference: str, document_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(documents).where(
                    documents.c.reference == reference,
                    documents.c.document_id == document_id,
                    documents.c.removed_at.is_(None),
                )
            )
        ).first()
        return None if row is None else self._row(row._mapping)

    def _row(self, row: Any) -> dict[str, Any]:
        found = dict(row)
        found["display_name"] = self.cipher.decrypt(row["display_name"])
        if row["description"] is not None:
            found["description"] = self.cipher.decrypt(row["description"])
        return found
