"""Intake's rows for the documents that came with complaints (tables.documents).

A row holds what is needed to read its blob back (object key, wrapped data key) and what may be
shown about it; the display name is encrypted with intake's cipher like other personal data. A
refused attachment has a row with its reason and no blob.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.tables import documents
from shared.crypto import Cipher
from shared.events import ComplaintDocument


@dataclass(frozen=True)
class NewDocument:
    """A document to record: kept (object_key and wrapped_key set) or refused (refused_reason)."""

    document_id: str
    size: int
    added_by: str  # "complainant" (the web form) or "email"
    added_at: datetime
    name: str | None
    object_key: str | None = None
    wrapped_key: bytes | None = None
    sha256: str | None = None
    kind: str | None = None
    media_type: str | None = None
    refused_reason: str | None = None

    def summary(self) -> ComplaintDocument:
        """What the private complaint event says about it: no name."""
        return ComplaintDocument(
            id=self.document_id,
            kind=self.kind,
            size=self.size,
            added_by=self.added_by,
            refused_reason=self.refused_reason,
        )


@dataclass(frozen=True)
class StoredDocument:
    document_id: str
    complaint_reference: str | None
    name: str | None
    size: int
    kind: str | None
    media_type: str | None
    added_by: str
    added_at: datetime
    refused_reason: str | None
    object_key: str | None
    wrapped_key: bytes | None

    def summary(self) -> ComplaintDocument:
        return ComplaintDocument(
            id=self.document_id,
            kind=self.kind,
            size=self.size,
            added_by=self.added_by,
            refused_reason=self.refused_reason,
        )


class DocumentStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def add(
        self,
        document: NewDocument,
        *,
        complaint_reference: str | None = None,
        enquiry_reference: str | None = None,
    ) -> None:
        name = document.name
        await self.session.execute(
            documents.insert().values(
                document_id=document.document_id,
                complaint_reference=complaint_reference,
                enquiry_reference=enquiry_reference,
                object_key=document.object_key,
                wrapped_key=document.wrapped_key,
                size=document.size,
                sha256=document.sha256,
                kind=document.kind,
                media_type=document.media_type,
                display_name=None if name is None else self.cipher.encrypt(name),
                added_by=document.added_by,
                added_at=document.added_at,
                refused_reason=document.refused_reason,
            )
        )

    async def attach_enquiry(self, enquiry_reference: str, complaint_reference: str) -> None:
        """An emailed enquiry became a complaint: its documents are the complaint's now."""
        await self.session.execute(
            update(documents)
            .where(
                documents.c.enquiry_reference == enquiry_reference,
                documents.c.complaint_reference.is_(None),
            )
            .values(complaint_reference=complaint_reference)
        )

    async def of_complaint(self, reference: str) -> list[StoredDocument]:
        rows = await self.session.execute(
            select(documents)
            .where(documents.c.complaint_reference == reference, documents.c.removed_at.is_(None))
            .order_by(documents.c.added_at, documents.c.document_id)
        )
        return [self._stored(row) for row in rows]

    async def of_enquiry(self, enquiry_reference: str) -> list[StoredDocument]:
        rows = await self.session.execute(
            select(documents).where(
                documents.c.enquiry_reference == enquiry_reference,
                documents.c.removed_at.is_(None),
            )
        )
        return [self._stored(row) for row in rows]

    async def kept_bytes(self, *, enquiry_reference: str) -> int:
        """What an enquiry's kept documents already take, against the per-case limit."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(documents.c.size), 0)).where(
                documents.c.enquiry_reference == enquiry_reference,
                documents.c.object_key.is_not(None),
            )
        )
        return int(total or 0)

    async def get(self, reference: str, document_id: str) -> StoredDocument | None:
        row = (
            await self.session.execute(
                select(documents).where(
                    documents.c.complaint_reference == reference,
                    documents.c.document_id == document_id,
                    documents.c.removed_at.is_(None),
                )
            )
        ).first()
        return None if row is None else self._stored(row)

    def _stored(self, row: Any) -> StoredDocument:
        name = row.display_name
        return StoredDocument(
            document_id=row.document_id,
            complaint_reference=row.complaint_reference,
            name=None if name is None else self.cipher.decrypt(name),
            size=row.size,
            kind=row.kind,
            media_type=row.media_type,
            added_by=row.added_by,
            added_at=row.added_at,
            refused_reason=row.refused_reason,
            object_key=row.object_key,
            wrapped_key=row.wrapped_key,
        )
