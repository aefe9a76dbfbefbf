"""Documents on a case (issue 16) through the real app, broker and database, with the filesystem
document store: staff upload and download (journalled, as an attachment), the complainant's
upload and list through their own token only, the organisation's evidence marking its request
received, refusals that keep nothing, the blob sealed, and the public event without a name."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfWriter

from services.casework.app import create_app
from shared.auth import Role, issue_staff_token
from shared.documents.settings import DocumentStoreSettings
from shared.settings import DEVELOPMENT_AUTH_SECRET
from shared.topics import CASEWORK_CASES, NOTIFICATION_DELIVERIES
from tests.integration.casework.casework_kit import (
    STAFF,
    act,
    new_reference,
    opened_case,
    settings_for,
    staff_view,
    start_group_at_end,
)
from tests.integration.service_harness import running
from tests.kit.kafka import TopicWatcher

pytestmark = pytest.mark.integration

CASEWORKER = {
    "Authorization": "Bearer "
    + issue_staff_token(DEVELOPMENT_AUTH_SECRET, sub="cw-9", name="Casey", role=Role.CASEWORKER)
}
Casework = tuple[httpx.AsyncClient, Any, Path]
MAX_FILE_BYTES = 64 * 1024
FILE_NAME = "Zebedee Quartermain's letter.txt"
LETTER = b"Zebedee: the surgery cancelled my operation on 5 September without a reason.\n"


@pytest.fixture
async def casework(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> AsyncIterator[Casework]:
    prefix = f"test-{uuid.uuid4().hex[:6]}"
    await start_group_at_end(
        kafka_bootstrap, NOTIFICATION_DELIVERIES, f"{prefix}-casework-deliveries"
    )
    store = tmp_path / "documents"
    documents = DocumentStoreSettings(
        directory=store, max_file_bytes=MAX_FILE_BYTES, max_case_bytes=4 * MAX_FILE_BYTES
    )
    app = create_app(settings_for(database_url, kafka_bootstrap, prefix), documents=documents)
    async with running(app) as client:
        yield client, app, store


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def blobs(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()]


def _form(name: str, content: bytes, **fields: str) -> dict[str, Any]:
    return {"files": {"file": (name, content, "application/pdf")}, "data": fields}


async def test_staff_upload_and_download_an_attachment_that_is_journalled(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, _, store = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)

    async with TopicWatcher(kafka_bootstrap, CASEWORK_CASES) as watcher:
        response = await client.post(
            f"/v1/cases/{reference}/documents",
            headers=STAFF,
            **_form(FILE_NAME, LETTER, description="From the complainant's GP"),
        )
        assert response.status_code == 201, response.text
        added = response.json()
        assert set(added) == {"id", "name", "type", "size"}
        assert (added["name"], added["type"], added["size"]) == (
            FILE_NAME,
            "text/plain",
            len(LETTER),
        )
        [event] = await watcher.wait_for(
            lambda e: e.subject == reference and e.type == "redress.case.document_added"
        )
    assert (event.data["kind"], event.data["size_band"], event.data["added_by"]) == (
        "text",
        "under_1mb",
        "staff",
    )
    assert "Quartermain" not in json.dumps(event.data)
    assert "GP" not in json.dumps(event.data)

    # At rest the bytes are sealed: the blob holds none of the plaintext.
    [blob] = blobs(store)
    assert b"Zebedee" not in blob.read_bytes()
    assert "Quartermain" not in str(blob)

    listed = await client.get(f"/v1/cases/{reference}/documents", headers=STAFF)
    assert [d["description"] for d in listed.json()["documents"]] == ["From the complainant's GP"]

    download = await client.get(f"/v1/cases/{reference}/documents/{added['id']}", headers=STAFF)
    assert download.status_code == 200
    assert download.content == LETTER
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zebedee%20Quartermain%27s%20letter.txt" in disposition
    assert download.headers["x-content-type-options"] == "nosniff"
    log = await client.get(f"/v1/cases/{reference}/access-log", headers=STAFF)
    [entry] = [e for e in log.json()["entries"] if "documents" in e["seen"]]
    assert entry["route"] == "GET /v1/cases/{reference}/documents/{document_id}"
    assert entry["actor"]["id"] == "m1"

    # A caseworker sees the documents of their own cases only.
    refused = await client.get(f"/v1/cases/{reference}/documents", headers=CASEWORKER)
    assert refused.status_code == 403

    # Another case's document id is not found through this case.
    other = new_reference()
    await opened_case(client, kafka_bootstrap, other)
    elsewhere = await client.get(f"/v1/cases/{other}/documents/{added['id']}", headers=STAFF)
    assert elsewhere.status_code == 404


async def test_the_complainant_uploads_and_lists_through_their_own_token(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, _, _ = casework
    mine, theirs = new_reference(), new_reference()
    await opened_case(client, kafka_bootstrap, mine)
    await opened_case(client, kafka_bootstrap, theirs)

    sent = await client.post(
        f"/v1/track/{mine}/documents",
        params={"token": f"token-{mine}"},
        **_form("timeline.pdf", a_pdf(), description="My timeline"),
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["type"] == "application/pdf"
    # Staff add one for the case only, and one shared with the complainant.
    for shared in ("false", "true"):
        response = await client.post(
            f"/v1/cases/{mine}/documents",
            headers=STAFF,
            **_form(f"note-{shared}.txt", LETTER, shared_with_complainant=shared),
        )
        assert response.status_code == 201, response.text

    listed = await client.get(f"/v1/track/{mine}/documents", params={"token": f"token-{mine}"})
    assert listed.status_code == 200
    names = [d["name"] for d in listed.json()["documents"]]
    assert names == ["timeline.pdf", "note-true.txt"]
    assert listed.json()["documents"][0]["added_by"] == "complainant"

    # Another case's token opens nothing, and sends nothing.
    for method in ("get", "post"):
        kwargs = _form("x.pdf", a_pdf()) if method == "post" else {}
        refused = await getattr(client, method)(
            f"/v1/track/{mine}/documents", params={"token": f"token-{theirs}"}, **kwargs
        )
        assert refused.status_code == 404
    unlisted = await client.get(
        f"/v1/track/{theirs}/documents", params={"token": f"token-{theirs}"}
    )
    assert unlisted.json()["documents"] == []


async def test_the_organisations_evidence_marks_the_request_received(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, _, _ = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    await act(client, reference, {"action": "accept"})
    case = await act(
        client, reference, {"action": "request_evidence", "description": "Clinical records"}
    )
    [request] = case["case"]["evidence_requests"]

    response = await client.post(
        f"/v1/cases/{reference}/documents",
        headers=STAFF,
        **_form("records.pdf", a_pdf(), evidence_request_id=request["request_id"]),
    )
    assert response.status_code == 201, response.text

    [received] = (await staff_view(client, reference))["case"]["evidence_requests"]
    assert received["received_at"] is not None
    listed = await client.get(f"/v1/cases/{reference}/documents", headers=STAFF)
    [document] = listed.json()["documents"]
    assert (document["added_by"], document["evidence_request_id"]) == (
        "organisation",
        request["request_id"],
    )


async def test_refused_files_keep_nothing(casework: Casework, kafka_bootstrap: str) -> None:
    client, app, store = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    token = {"token": f"token-{reference}"}
    html = b"<!doctype html><html><script>alert(1)</script></html>"

    refused_type = await client.post(
        f"/v1/track/{reference}/documents", params=token, **_form("evidence.pdf", html)
    )
    assert refused_type.status_code == 415
    assert refused_type.json()["reason"] == "type_not_accepted"

    oversize = await client.post(
        f"/v1/cases/{reference}/documents",
        headers=STAFF,
        **_form("big.txt", b"a" * (MAX_FILE_BYTES + 1)),
    )
    assert oversize.status_code == 413
    assert oversize.json()["reason"] == "file_too_large"
    # Far past the limit the body is refused as it streams in, without reading it all.
    huge = await client.post(
        f"/v1/track/{reference}/documents",
        params=token,
        **_form("huge.txt", b"a" * (MAX_FILE_BYTES * 4)),
    )
    assert huge.status_code == 413
    assert huge.json()["reason"] == "file_too_large"

    missing = await client.post(
        f"/v1/cases/{reference}/documents", headers=STAFF, data={"description": "no file"}
    )
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "file"

    garbled = await client.post(
        f"/v1/cases/{reference}/documents",
        headers={**STAFF, "Content-Type": "multipart/form-data; boundary=xyz"},
        content=b"--xyz\r\nnot a part header\r\n",
    )
    assert garbled.status_code == 422
    assert garbled.json()["fields"][0]["field"] == "file"

    assert blobs(store) == []
    listed = await client.get(f"/v1/cases/{reference}/documents", headers=STAFF)
    assert listed.json()["documents"] == []
    async with app.state.documents.uow.reading() as stores:
        assert await stores.documents.case_bytes(reference) == 0
