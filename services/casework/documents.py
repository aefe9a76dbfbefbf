"""Documents on a case (issue 16): the complainant's and staff's uploads, the organisation's
evidence answering an evidence request, the lists each may see, and the bytes back for staff.

A file is judged by its content (shared/documents/checks.py) before anything is kept; only then
is it sealed into the document store (shared/documents/vault.py) and its row written, with the
public `redress.case.document_added` event, in one transaction. If that transaction fails the
blob is removed again, so a refusal leaves the case as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

from services.casework.domain import Actor, CaseworkRules, ReceiveEvidence, handle
from services.casework.domain.documents import AddedBy, DocumentKind, document_added
from services.casework.domain.publication import published
from services.casework.stores import CaseworkStores
from shared.documents.checks import CheckedDocument, DocumentLimits, check_document
from shared.documents.scanning import ClamdScanner
from shared.documents.vault import DocumentVault, Kept
from shared.events import CaseEvent
from shared.kit.work import UnitOfWork, Work
from shared.timekeeping import Clock, utc_now
from shared.topics import CASEWORK_CASES


class NoSuchCaseError(Exception):
    pass


class NoSuchDocumentError(Exception):
    pass


@dataclass(frozen=True)
class Upload:
    """One file as sent: its bytes (already bounded by the route), the name the sender's computer
    gave (for display only) and the optional fields of the form."""

    content: bytes
    name: str | None
    description: str | None = None
    evidence_request_id: str | None = None


@dataclass(frozen=True)
class Sender:
    """Who adds the document. Staff who send one against an evidence request add the
    organisation's evidence."""

    actor: Actor
    added_by: AddedBy
    shared_with_complainant: bool = False

    @property
    def staff_id(self) -> str | None:
        return None if self.added_by is AddedBy.COMPLAINANT else self.actor.id


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """What the routes answer for one document: `{id, name, type, size}` and, in lists, more."""
    return {
        "id": row["document_id"],
        "name": row["display_name"],
        "type": row["media_type"],
        "size": row["size"],
    }


def listed(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **summary(row),
        "kind": row["kind"],
        "description": row["description"],
        "added_by": row["added_by"],
        "added_at": row["added_at"],
        "shared_with_complainant": row["shared_with_complainant"],
        "evidence_request_id": row["evidence_request_id"],
    }


class CaseDocuments:
    def __init__(
        self,
        uow: UnitOfWork[CaseworkStores],
        vault: DocumentVault,
        limits: DocumentLimits,
        rules: CaseworkRules,
        clock: Clock = utc_now,
        scanner: ClamdScanner | None = None,
    ) -> None:
        self.uow = uow
        self.vault = vault
        self.limits = limits
        self.rules = rules
        self.clock = clock
        self.scanner = scanner

    async def add(self, reference: str, upload: Upload, sender: Sender) -> dict[str, Any]:
        """Checks, seals and records the document; `RefusedDocumentError` (nothing kept),
        `NoSuchCaseError`, or the domain's refusals of ReceiveEvidence (blob removed)."""
        async with self.uow.reading() as stores:
            if not await stores.cases.exists(reference):
                raise NoSuchCaseError(reference)
            case_bytes = await stores.documents.case_bytes(reference)
        checked = await check_document(
            upload.content,
            name=upload.name,
            case_bytes=case_bytes,
            limits=self.limits,
            scanner=self.scanner,
        )
        kept = await self.vault.keep(checked.content)
        try:
            async with self.uow.transaction() as work:
                row = await self._record(work, reference, upload, sender, checked, kept)
        except BaseException:
            await self.vault.remove(kept.object_key)
            raise
        return summary(row)

    async def _record(
        self,
        work: Work[CaseworkStores],
        reference: str,
        upload: Upload,
        sender: Sender,
        checked: CheckedDocument,
        kept: Kept,
    ) -> dict[str, Any]:
        loaded = await work.stores.cases.load(reference)
        if loaded is None:
            raise NoSuchCaseError(reference)
        case, version, _ = loaded
        now = self.clock()
        events: list[CaseEvent] = []
        if upload.evidence_request_id is not None:
            command = ReceiveEvidence(request_id=upload.evidence_request_id)
            events += handle(case, command, sender.actor, now, self.rules)
            await work.stores.cases.save(case, version)
        # check_document's kinds are DocumentKind's (shared/documents/checks.py ACCEPTED_TYPES).
        kind = cast(DocumentKind, checked.kind)
        events.append(
            document_added(case, kind=kind, size=kept.size, added_by=sender.added_by, now=now)
        )
        row: dict[str, Any] = {
            "document_id": str(uuid.uuid4()),
            "reference": reference,
            "object_key": kept.object_key,
            "wrapped_key": kept.wrapped_key,
            "size": kept.size,
            "sha256": kept.sha256,
            "kind": checked.kind,
            "media_type": checked.media_type,
            "added_by": sender.added_by.value,
            "added_by_staff_id": sender.staff_id,
            "shared_with_complainant": sender.shared_with_complainant,
            "evidence_request_id": upload.evidence_request_id,
            "added_at": now,
        }
        await work.stores.documents.add(
            display_name=checked.name, description=upload.description, **row
        )
        for event in events:
            await work.emit(CASEWORK_CASES, published(event), subject=reference)
        return {**row, "display_name": checked.name, "description": upload.description}

    async def listing(self, reference: str, *, for_complainant: bool) -> list[dict[str, Any]]:
        """The case's documents; the complainant sees what they sent and what is shared."""
        async with self.uow.reading() as stores:
            rows = await stores.documents.listing(reference)
        if for_complainant:
            rows = [
                r
                for r in rows
                if r["added_by"] == AddedBy.COMPLAINANT.value or r["shared_with_complainant"]
            ]
        return [listed(r) for r in rows]

    async def find(self, reference: str, document_id: str) -> dict[str, Any]:
        async with self.uow.reading() as stores:
            row = await stores.documents.one(reference, document_id)
        if row is None:
            raise NoSuchDocumentError(document_id)
        return row

    def content(self, row: dict[str, Any]) -> AsyncIterator[bytes]:
        """The plaintext of a document `find` returned, streamed and authenticated frame by
        frame."""
        return self.vault.open(row["object_key"], row["wrapped_key"])
