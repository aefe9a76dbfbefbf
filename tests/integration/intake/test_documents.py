"""Documents that come with complaints, on both databases, the real broker and real SMTP: the
web form's files (httpx multipart) and emailed attachments are kept sealed, refused ones are
refused (the form) or recorded (email), and staff download the bytes back."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.intake.store import complaints
from services.intake.tables import documents
from shared.documents.sealing import MAGIC
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.intake.email_kit import (
    COMPLAINTS_ADDRESS,
    STAFF,
    Intake,
    a_mail,
    about,
    count,
    mails_in,
    send,
    unique_organisation,
)
from tests.integration.intake.topic_reading import first_event, reading_from_now
from tests.kit.documents import EXECUTABLE, PDF_MEDIA_TYPE, a_pdf, a_png
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

SUMMARY = "My operation was cancelled three times without notice."


def form(organisation: str) -> dict[str, str]:
    return {
        "summary": SUMMARY,
        "desired_outcome": "An apology and a new date.",
        "organisation.name": organisation,
        "organisation.sector": "health",
        "first_aware_on.day": "1",
        "first_aware_on.month": "6",
        "first_aware_on.year": "2026",
        "complainant.name": "Jo Bloggs",
        "complainant.email": "jo@example.com",
        "complainant.preferred_contact": "email",
    }


def stored_blobs(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in root.rglob("*") if path.is_file()]


async def listed(intake: Intake, reference: str) -> list[dict[str, Any]]:
    answer = await intake.client.get(f"/v1/staff/complaints/{reference}/documents", headers=STAFF)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["documents"]
    return found


async def test_the_form_keeps_its_files_sealed_and_staff_download_them(
    intake: Intake, kafka_bootstrap: str
) -> None:
    organisation = unique_organisation()
    pdf, png = a_pdf(), a_png()
    files = [
        ("documents", ("final reply.pdf", pdf, "application/pdf")),
        ("documents", ("photo.png", png, "image/png")),
    ]
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        page = await intake.client.post("/complaint", data=form(organisation), files=files)
        assert page.status_code == 201, page.text
        _, event = await first_event(topic, about(organisation))
    reference = event["reference"]
    assert reference in page.text

    # Sent at one moment: listed in no promised order among themselves.
    shown = sorted(await listed(intake, reference), key=lambda d: str(d["name"]))
    assert [(d["name"], d["kind"], d["added_by"]) for d in shown] == [
        ("final reply.pdf", "pdf", "complainant"),
        ("photo.png", "image", "complainant"),
    ]
    assert sorted((d["id"], d["kind"], d["size"]) for d in event["documents"]) == sorted(
        (d["id"], d["kind"], d["size"]) for d in shown
    )
    assert "final reply" not in str(event["documents"])

    # At rest: two sealed blobs, neither holding the file's bytes.
    blobs = stored_blobs(intake.document_dir)
    assert len(blobs) == 2
    assert all(blob.startswith(MAGIC) and pdf[:64] not in blob for blob in blobs)

    download = await intake.client.get(
        f"/v1/staff/complaints/{reference}/documents/{shown[0]['id']}", headers=STAFF
    )
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == PDF_MEDIA_TYPE
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="final reply.pdf"'
    )
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_a_refused_file_shows_the_form_again_and_keeps_nothing(intake: Intake) -> None:
    organisation = unique_organisation()
    page = await intake.client.post(
        "/complaint",
        data=form(organisation),
        files=[("documents", ("letter.pdf", EXECUTABLE, "application/pdf"))],
    )
    assert page.status_code == 415
    assert '<a href="#documents">This type of file is not accepted.' in page.text
    assert SUMMARY in page.text  # what they typed is still there
    assert organisation in page.text
    assert await count(intake.app, complaints) == 0
    assert await count(intake.app, documents) == 0
    assert stored_blobs(intake.document_dir) == []


async def test_a_form_without_files_still_posts_as_before(intake: Intake) -> None:
    empty_file_input = [("documents", ("", b"", "application/octet-stream"))]
    page = await intake.client.post(
        "/complaint", data=form(unique_organisation()), files=empty_file_input
    )
    assert page.status_code == 201, page.text
    assert await count(intake.app, documents) == 0


async def test_emailed_attachments_are_kept_and_a_refused_one_recorded(intake: Intake) -> None:
    organisation = unique_organisation()
    mail = a_mail(organisation)
    pdf = a_pdf()
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="reply.pdf")
    mail.add_attachment(EXECUTABLE, maintype="application", subtype="pdf", filename="run.pdf")
    await send(intake, mail)

    async def registered() -> bool:
        return await count(intake.app, complaints) == 1

    await wait_until(registered, within=15)
    async with intake.app.state.service.db.sessions() as session:
        reference = await session.scalar(select(complaints.c.reference))
    shown = await listed(intake, reference)
    # Both arrived at the same moment: listed in no promised order.
    assert sorted((d["name"], d["kind"], d["added_by"], d["refused_reason"]) for d in shown) == [
        ("reply.pdf", "pdf", "email", None),
        ("run.pdf", None, "email", "type_not_accepted"),
    ]
    kept = next(d for d in shown if d["refused_reason"] is None)
    refused = next(d for d in shown if d["refused_reason"] is not None)
    [blob] = stored_blobs(intake.document_dir)
    assert blob.startswith(MAGIC)
    assert pdf[:64] not in blob

    download = await intake.client.get(
        f"/v1/staff/complaints/{reference}/documents/{kept['id']}", headers=STAFF
    )
    assert download.content == pdf
    no_bytes = await intake.client.get(
        f"/v1/staff/complaints/{reference}/documents/{refused['id']}", headers=STAFF
    )
    assert no_bytes.status_code == 404


async def test_the_document_routes_are_for_staff_only(intake: Intake) -> None:
    page = await intake.client.post("/complaint", data=form(unique_organisation()))
    assert page.status_code == 201
    async with intake.app.state.service.db.sessions() as session:
        reference = await session.scalar(select(complaints.c.reference))
    anonymous = await intake.client.get(f"/v1/staff/complaints/{reference}/documents")
    assert anonymous.status_code == 401
    unknown = await intake.client.get("/v1/staff/complaints/NOPE-1/documents", headers=STAFF)
    assert unknown.status_code == 404
    assert await listed(intake, reference) == []


async def test_an_incomplete_mail_keeps_its_attachment_until_the_reply_makes_the_complaint(
    intake: Intake, kafka_bootstrap: str
) -> None:
    first = a_mail(None)
    png = a_png()
    first.add_attachment(png, maintype="image", subtype="png", filename="ward.png")
    await send(intake, first)

    async def asked() -> bool:
        return await count(intake.app, documents) == 1

    await wait_until(asked, within=15)
    [question] = await mails_in(intake.mail_dir, 1)
    organisation = unique_organisation()
    answer = EmailMessage()
    answer["From"] = "Jo Bloggs <jo@example.com>"
    answer["To"] = COMPLAINTS_ADDRESS
    answer["Subject"] = f"Re: {question['Subject']}"
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    answer.set_content(f"Organisation: {organisation}\n")
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        await send(intake, answer)
        _, event = await first_event(topic, about(organisation))
    [shown] = await listed(intake, event["reference"])
    assert (shown["name"], shown["kind"], shown["added_by"]) == ("ward.png", "image", "email")
    assert [d["id"] for d in event["documents"]] == [shown["id"]]
