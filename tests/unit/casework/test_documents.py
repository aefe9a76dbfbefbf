"""Documents on a case (issue 16) on the fake stores: size bands, the use case's record and event,
the organisation's evidence marking its request received, and refusals that keep nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfWriter

from services.casework.cases import Casework
from services.casework.documents import CaseDocuments, NoSuchCaseError, Sender, Upload
from services.casework.domain import (
    Accept,
    ActionNotAllowed,
    Actor,
    CaseworkRules,
    RequestEvidence,
)
from services.casework.domain.documents import (
    LARGE_DOCUMENT_BYTES,
    SMALL_DOCUMENT_BYTES,
    AddedBy,
    size_band,
)
from services.casework.stores import CaseworkStores
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, Cipher
from shared.documents.blobs import FilesystemBlobStore
from shared.documents.checks import DocumentLimits
from shared.documents.downloads import content_disposition
from shared.documents.refusals import TooLargeError, UnacceptedTypeError
from shared.documents.vault import DocumentVault
from shared.events import DocumentAdded
from tests.kit.fakes.casework import FakeCaseworkStores
from tests.kit.work import FakeUnitOfWork
from tests.unit.casework.test_use_cases import REFERENCE, a_complaint

RULES = CaseworkRules()
NOW = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
STAFF = Actor(id="m1", name="Morgan", role="manager")
COMPLAINANT = Actor(id=f"complainant:{REFERENCE}", name="You", role="complainant")
LETTER = b"The practice wrote to me on 5 September to cancel the operation.\n"


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


class World:
    def __init__(self, directory: Path, limits: DocumentLimits | None = None) -> None:
        self.fakes = FakeCaseworkStores()
        self.uow: FakeUnitOfWork[CaseworkStores] = FakeUnitOfWork(self.fakes.as_stores())
        self.casework = Casework(self.uow, RULES, clock=lambda: NOW)
        self.blobs = directory
        vault = DocumentVault(FilesystemBlobStore(directory), Cipher(DEVELOPMENT_ENCRYPTION_KEY))
        limits = limits or DocumentLimits(max_file_bytes=64 * 1024, max_case_bytes=128 * 1024)
        self.documents = CaseDocuments(self.uow, vault, limits, RULES, lambda: NOW)

    async def opened(self) -> None:
        async with self.uow.transaction() as work:
            await self.casework.open_from_complaint(work, a_complaint())

    def stored_blobs(self) -> list[Path]:
        return [p for p in self.blobs.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("size", "band"),
    [
        (1, "under_1mb"),
        (SMALL_DOCUMENT_BYTES - 1, "under_1mb"),
        (SMALL_DOCUMENT_BYTES, "1_to_10mb"),
        (LARGE_DOCUMENT_BYTES, "1_to_10mb"),
        (LARGE_DOCUMENT_BYTES + 1, "over_10mb"),
    ],
)
def test_a_document_is_published_by_its_size_band_only(size: int, band: str) -> None:
    assert size_band(size) == band


async def test_a_complainants_document_is_kept_sealed_and_announced_without_its_name(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    await world.opened()
    sender = Sender(COMPLAINANT, AddedBy.COMPLAINANT, shared_with_complainant=True)
    upload = Upload(LETTER, "Letter from Dr Quartermain.txt", "The cancellation letter")

    added = await world.documents.add(REFERENCE, upload, sender)

    assert added["name"] == "Letter from Dr Quartermain.txt"
    assert added["type"] == "text/plain"
    assert added["size"] == len(LETTER)
    [row] = world.fakes.documents.rows
    assert row["added_by"] == "complainant"
    assert row["added_by_staff_id"] is None
    [blob] = world.stored_blobs()
    assert LETTER not in blob.read_bytes()
    assert await world.documents.vault.read(row["object_key"], row["wrapped_key"]) == LETTER
    [event] = world.uow.emitted_payloads(DocumentAdded)
    assert (event.kind, event.size_band, event.added_by) == ("text", "under_1mb", "complainant")
    assert "Quartermain" not in event.model_dump_json()
    listed = await world.documents.listing(REFERENCE, for_complainant=True)
    assert [d["id"] for d in listed] == [added["id"]]


async def test_the_complainant_sees_only_what_they_sent_and_what_is_shared(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    await world.opened()
    await world.documents.add(
        REFERENCE, Upload(LETTER, "internal.txt"), Sender(STAFF, AddedBy.STAFF)
    )
    shared = await world.documents.add(
        REFERENCE, Upload(a_pdf(), "report.pdf"), Sender(STAFF, AddedBy.STAFF, True)
    )

    seen = await world.documents.listing(REFERENCE, for_complainant=True)
    assert [d["id"] for d in seen] == [shared["id"]]
    assert len(await world.documents.listing(REFERENCE, for_complainant=False)) == 2
    assert world.fakes.documents.rows[0]["added_by_staff_id"] == "m1"


async def test_the_organisations_evidence_marks_its_request_received(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.opened()
    await world.casework.act(REFERENCE, Accept(), STAFF)
    case = await world.casework.act(REFERENCE, RequestEvidence(description="Records"), STAFF)
    [request] = case.evidence_requests

    await world.documents.add(
        REFERENCE,
        Upload(a_pdf(), "records.pdf", evidence_request_id=request.request_id),
        Sender(STAFF, AddedBy.ORGANISATION),
    )

    loaded = await world.casework.load(REFERENCE)
    assert loaded is not None
    assert loaded.evidence_requests[0].received_at == NOW
    [event] = world.uow.emitted_payloads(DocumentAdded)
    assert (event.kind, event.added_by) == ("pdf", "organisation")
    # A second answer to the same request is refused and leaves no blob or row behind.
    with pytest.raises(ActionNotAllowed):
        await world.documents.add(
            REFERENCE,
            Upload(a_pdf(), "again.pdf", evidence_request_id=request.request_id),
            Sender(STAFF, AddedBy.ORGANISATION),
        )
    assert len(world.fakes.documents.rows) == 1
    assert len(world.stored_blobs()) == 1


async def test_refused_files_keep_nothing(tmp_path: Path) -> None:
    limits = DocumentLimits(max_file_bytes=len(LETTER) * 2, max_case_bytes=len(LETTER) * 5)
    world = World(tmp_path, limits)
    await world.opened()
    sender = Sender(COMPLAINANT, AddedBy.COMPLAINANT, True)

    with pytest.raises(UnacceptedTypeError):
        await world.documents.add(REFERENCE, Upload(b"<html><script>1</script>", "a.pdf"), sender)
    with pytest.raises(TooLargeError) as too_large:
        await world.documents.add(REFERENCE, Upload(LETTER * 3, "long.txt"), sender)
    assert too_large.value.reason == "file_too_large"
    assert world.stored_blobs() == []
    assert world.fakes.documents.rows == []
    assert world.uow.emitted_payloads(DocumentAdded) == []

    # The per-case limit counts what the case holds already.
    for _ in range(2):
        await world.documents.add(REFERENCE, Upload(LETTER + LETTER, "two.txt"), sender)
    with pytest.raises(TooLargeError) as case_full:
        await world.documents.add(REFERENCE, Upload(LETTER + LETTER, "three.txt"), sender)
    assert case_full.value.reason == "case_too_large"
    assert len(world.stored_blobs()) == 2

    with pytest.raises(NoSuchCaseError):
        await world.documents.add("RED-2026-999999", Upload(LETTER, "x.txt"), sender)


def test_a_download_is_an_attachment_with_a_safe_name_in_both_forms() -> None:
    header = content_disposition('Llythyr gan y meddyg "Ŵyn".pdf')
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback == "Llythyr gan y meddyg __yn_.pdf"
    assert header.endswith("filename*=UTF-8''Llythyr%20gan%20y%20meddyg%20%22%C5%B4yn%22.pdf")
