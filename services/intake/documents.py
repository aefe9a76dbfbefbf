"""Documents that come with a complaint (issue 16): the web form's files and emailed attachments.

Every file is checked by its content (shared.documents.checks: size, type, opening, image
metadata stripped), then sealed under a data key of its own and stored under a random key
(shared.documents.vault) before its row is written with the complaint (submissions.py). A file
the web form sends that is refused stops the submission, so the person can choose another; an
emailed attachment that is refused is recorded as refused, with its reason, and the complaint is
still taken. Logs and events never carry a file's name.

Staff read them through intake's staff API (document_api.py): the list, and each one streamed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from services.intake.store import IntakeStores, NewDocument, StoredDocument
from shared.documents.checks import CheckedDocument, DocumentLimits, check_document
from shared.documents.names import refused_name
from shared.documents.refusals import RefusedDocumentError
from shared.documents.scanning import ClamdScanner
from shared.documents.vault import DocumentVault
from shared.kit.work import UnitOfWork

log = logging.getLogger("redress.intake.documents")

BY_COMPLAINANT: Final = "complainant"
BY_EMAIL: Final = "email"


@dataclass(frozen=True)
class SentFile:
    """A file as it arrived: the name its sender's computer gave (display only) and its bytes."""

    name: str | None
    content: bytes


class RefusedFileError(Exception):
    """One of the files sent with the web form is refused; `refusal` says why (its status too)."""

    def __init__(self, refusal: RefusedDocumentError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass(frozen=True)
class Download:
    document: StoredDocument
    chunks: AsyncIterator[bytes]


class ComplaintDocuments:
    def __init__(
        self,
        uow: UnitOfWork[IntakeStores],
        vault: DocumentVault,
        limits: DocumentLimits,
        scanner: ClamdScanner | None = None,
    ) -> None:
        self.uow = uow
        self.vault = vault
        self.limits = limits
        self.scanner = scanner

    async def _check(self, sent: SentFile, case_bytes: int) -> CheckedDocument:
        return await check_document(
            sent.content,
            name=sent.name,
            case_bytes=case_bytes,
            limits=self.limits,
            scanner=self.scanner,
        )

    async def _keep(self, checked: CheckedDocument, added_by: str, now: datetime) -> NewDocument:
        kept = await self.vault.keep(checked.content)
        return NewDocument(
            document_id=str(uuid.uuid4()),
            size=kept.size,
            added_by=added_by,
            added_at=now,
            name=checked.name,
            object_key=kept.object_key,
            wrapped_key=kept.wrapped_key,
            sha256=kept.sha256,
            kind=checked.kind,
            media_type=checked.media_type,
        )

    async def from_form(self, files: Sequence[SentFile], now: datetime) -> list[NewDocument]:
        """The web form's files, all checked before any is stored; `RefusedFileError` at the
        first refused one, and nothing is kept."""
        checked: list[CheckedDocument] = []
        total = 0
        for sent in files:
            try:
                document = await self._check(sent, total)
            except RefusedDocumentError as refusal:
                log.info("a form upload was refused", extra={"status": refusal.reason})
                raise RefusedFileError(refusal) from refusal
            checked.append(document)
            total += len(document.content)
        kept: list[NewDocument] = []
        try:
            for document in checked:
                kept.append(await self._keep(document, BY_COMPLAINANT, now))
        except BaseException:
            await self.discard(kept)
            raise
        return kept

    async def from_email(
        self, files: Sequence[SentFile], now: datetime, *, case_bytes: int = 0
    ) -> list[NewDocument]:
        """An email's attachments: each kept, or recorded as refused with its reason."""
        recorded: list[NewDocument] = []
        total = case_bytes
        for sent in files:
            try:
                document = await self._check(sent, total)
            except RefusedDocumentError as refusal:
                log.info("an emailed attachment was refused", extra={"status": refusal.reason})
                recorded.append(_refused(sent, refusal, now))
                continue
            recorded.append(await self._keep(document, BY_EMAIL, now))
            total += len(document.content)
        return recorded

    async def discard(self, documents: Sequence[NewDocument]) -> None:
        """Removes the blobs of documents whose rows were never written (a failed or replayed
        submission): an unreferenced blob cannot be read, but it takes room."""
        for document in documents:
            if document.object_key is not None:
                await self.vault.remove(document.object_key)

    async def enquiry_bytes(self, enquiry_reference: str) -> int:
        async with self.uow.reading() as stores:
            return await stores.documents.kept_bytes(enquiry_reference=enquiry_reference)

    async def of_complaint(self, reference: str) -> list[StoredDocument] | None:
        """The complaint's documents, or None when there is no such complaint."""
        async with self.uow.reading() as stores:
            if not await stores.complaints.reference_exists(reference):
                return None
            return await stores.documents.of_complaint(reference)

    async def download(self, reference: str, document_id: str) -> Download | None:
        """One kept document, its plaintext streamed; None when absent or refused (no bytes)."""
        async with self.uow.reading() as stores:
            document = await stores.documents.get(reference, document_id)
        if document is None or document.object_key is None or document.wrapped_key is None:
            return None
        return Download(document, self.vault.open(document.object_key, document.wrapped_key))


def _refused(sent: SentFile, refusal: RefusedDocumentError, now: datetime) -> NewDocument:
    return NewDocument(
        document_id=str(uuid.uuid4()),
        size=len(sent.content),
        added_by=BY_EMAIL,
        added_at=now,
        name=refused_name(sent.name),
        refused_reason=refusal.reason,
    )
