"""Emailed attachments on in-memory stores and a real filesystem blob store: kept with the
complaint (or its enquiry until a reply completes it), refused ones recorded with the reason."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from services.intake.documents import ComplaintDocuments
from services.intake.email.reading import attachments, parse_email
from services.intake.email.receiving import EmailIntake, EmailOutcome
from services.intake.store import IntakeStores
from shared.crypto import Cipher
from shared.documents.blobs import FilesystemBlobStore
from shared.documents.checks import DocumentLimits
from shared.documents.vault import DocumentVault
from shared.events import ComplaintReceived
from tests.kit.documents import EXECUTABLE, a_pdf
from tests.kit.fakes.intake import FakeDocumentStore, fake_intake_stores
from tests.kit.work import FakeUnitOfWork

from .test_use_cases import COMPLAINTS_ADDRESS, NOW, FakeMailer, intake

LIMITS = DocumentLimits(max_file_bytes=512 * 1024, max_case_bytes=1024 * 1024)


@pytest.fixture
def uow() -> FakeUnitOfWork[IntakeStores]:
    return FakeUnitOfWork(fake_intake_stores())


def channel(uow: FakeUnitOfWork[IntakeStores], root: Path) -> tuple[EmailIntake, DocumentVault]:
    vault = DocumentVault(FilesystemBlobStore(root), Cipher(Fernet.generate_key().decode()))
    documents = ComplaintDocuments(uow, vault, LIMITS)  # type: ignore[arg-type]
    email = EmailIntake(
        uow,  # type: ignore[arg-type]
        intake(uow),
        FakeMailer(),
        mail_from="Redress <no-reply@redress.localhost>",
        max_replies=2,
        clock=lambda: NOW,
        documents=documents,
    )
    return email, vault


def a_mail(text: str, subject: str = "Cancelled operation") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo@example.com>"
    message["To"] = COMPLAINTS_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    message.set_content(text)
    return message


FACTS = (
    "My operation was cancelled three times without notice.\n\n"
    "Sector: health\nOutcome wanted: An apology and a new date.\n"
    "When did you find out: 1 March 2026\n"
)


def documents_of(uow: FakeUnitOfWork[IntakeStores]) -> FakeDocumentStore:
    store = uow.stores.documents
    assert isinstance(store, FakeDocumentStore)
    return store


async def test_attachments_of_a_complete_mail_are_kept_and_a_refused_one_recorded(
    uow: FakeUnitOfWork[IntakeStores], tmp_path: Path
) -> None:
    email, vault = channel(uow, tmp_path)
    mail = a_mail("Organisation: Northshire NHS Trust\n" + FACTS)
    pdf = a_pdf()
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="reply.pdf")
    mail.add_attachment(EXECUTABLE, maintype="application", subtype="pdf", filename="run.pdf")

    receipt = await email.receive(mail.as_bytes(), "jo@example.com")

    assert receipt.outcome is EmailOutcome.COMPLAINT
    rows = list(documents_of(uow).rows.values())
    assert {complaint for _, complaint, _ in rows} == {receipt.reference}
    kept = next(d for d, _, _ in rows if d.refused_reason is None)
    refused = next(d for d, _, _ in rows if d.refused_reason is not None)
    assert (kept.kind, kept.name, kept.added_by) == ("pdf", "reply.pdf", "email")
    assert kept.object_key is not None
    assert kept.wrapped_key is not None
    assert await vault.read(kept.object_key, kept.wrapped_key) == pdf
    assert (refused.refused_reason, refused.object_key, refused.name) == (
        "type_not_accepted",
        None,
        "run.pdf",
    )
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert [(d.kind, d.refused_reason) for d in event.documents] == [
        ("pdf", None),
        (None, "type_not_accepted"),
    ]
    assert "reply.pdf" not in event.model_dump_json()


async def test_an_incomplete_mail_keeps_its_attachment_for_the_complaint_its_reply_makes(
    uow: FakeUnitOfWork[IntakeStores], tmp_path: Path
) -> None:
    email, _ = channel(uow, tmp_path)
    first = a_mail(FACTS)
    first.add_attachment(a_pdf(), maintype="application", subtype="pdf", filename="letter.pdf")
    asked = await email.receive(first.as_bytes(), "jo@example.com")
    assert asked.outcome is EmailOutcome.ASKED
    [(document, complaint, enquiry)] = documents_of(uow).rows.values()
    assert (complaint, enquiry) == (None, asked.reference)

    reply = a_mail("Organisation: Northshire NHS Trust\n", subject=f"Re: [{asked.reference}]")
    completed = await email.receive(reply.as_bytes(), "jo@example.com")

    assert completed.outcome is EmailOutcome.COMPLAINT
    [(_, complaint, _)] = documents_of(uow).rows.values()
    assert complaint == completed.reference
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert [d.id for d in event.documents] == [document.document_id]


def test_a_mail_attached_whole_and_a_named_file_are_attachments_the_body_is_not() -> None:
    forwarded = a_mail("The organisation's reply to me.", subject="Your complaint")
    mail = a_mail(FACTS)
    mail.add_alternative("<p>My operation was cancelled.</p>", subtype="html")
    mail.add_attachment(forwarded)
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")

    found = attachments(parse_email(mail.as_bytes()))

    assert [name for name, _ in found] == [None, "a.pdf"]
    inner = parse_email(found[0][1])
    assert inner["Subject"] == "Your complaint"
    assert found[1][1] == b"%PDF-1.4"
