"""The decision PDFs' routes (issue 16 part 4) through the in-process casework app on SQLite:
the complainant's behind their tracking token, the staff's behind staff auth and recorded in the
access journal; 404 until the decision exists, 401 without a staff token, and the tracking
page's download links lead to them.

No Kafka: the case is opened by the consumer's use case in the app's own unit of work, and
what the outbox holds is never relayed; the routes read only the database.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from services.casework.app import create_app
from services.casework.settings import CaseworkSettings
from shared.migrations import upgrade_to_head
from tests.integration.casework.casework_kit import a_complaint
from tests.kit.apps import client_for, staff_headers

REFERENCE = "RDR-2026-PDF001"
TOKEN = {"token": f"token-{REFERENCE}"}
MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "casework" / "migrations"
DRAFT_SUMMARY = "The practice lost your referral letter and did not tell you."
FINAL_SUMMARY = "The practice lost the referral and took four months to notice."
ACTION = "Apologise to you in writing for the lost referral."
STAFF = staff_headers(sub="cw-pdf")
PATHS = {
    kind: (
        f"/v1/track/{REFERENCE}/decision/{kind}.pdf",
        f"/v1/cases/{REFERENCE}/decision/{kind}.pdf",
    )
    for kind in ("draft", "final")
}


@pytest.fixture
async def casework(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}"
    # A port nothing listens on: these routes must not need the broker.
    app = create_app(CaseworkSettings(database_url=url, kafka_bootstrap_servers="127.0.0.1:9"))
    await asyncio.to_thread(upgrade_to_head, url, MIGRATIONS)
    async with app.state.casework.uow.transaction() as work:
        await app.state.casework.open_from_complaint(work, a_complaint(REFERENCE))
    async with client_for(app) as client:
        yield client, app
    await app.state.service.db.dispose()


async def act(client: httpx.AsyncClient, action: dict[str, Any]) -> None:
    response = await client.post(f"/v1/cases/{REFERENCE}/actions", json=action, headers=STAFF)
    assert response.status_code == 200, response.text


def pdf_text(response: httpx.Response, kind: str) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{REFERENCE}-{kind}-decision.pdf"'
    )
    assert response.headers["cache-control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


async def journal_seen(client: httpx.AsyncClient) -> list[tuple[str, list[str]]]:
    log = await client.get(f"/v1/cases/{REFERENCE}/access-log", headers=staff_headers())
    assert log.status_code == 200, log.text
    assert log.json()["chain"]["intact"]
    return [(e["route"], e["seen"]) for e in log.json()["entries"]]


async def download_links(client: httpx.AsyncClient) -> list[str]:
    page = await client.get(f"/track/{REFERENCE}", params=TOKEN)
    assert page.status_code == 200
    return [unescape(h) for h in re.findall(r'<a href="([^"]+\.pdf\?[^"]*)"', page.text)]


async def test_no_decision_yet_is_404_and_a_wrong_token_or_no_staff_token_opens_nothing(
    casework: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = casework
    for kind, (tracking, staff) in PATHS.items():
        assert (await client.get(tracking, params=TOKEN)).status_code == 404, kind
        assert (await client.get(staff, headers=STAFF)).status_code == 404, kind
        assert (await client.get(tracking, params={"token": "token-other"})).status_code == 404
        assert (await client.get(tracking)).status_code == 404
        assert (await client.get(staff)).status_code == 401
        assert (await client.get(staff, params=TOKEN)).status_code == 401
    unknown = "/v1/cases/RDR-2026-NOSUCH/decision/final.pdf"
    assert (await client.get(unknown, headers=STAFF)).status_code == 404
    assert await download_links(client) == []
    # Nothing was shown, so nothing is in the journal.
    assert await journal_seen(client) == []


async def test_the_draft_then_the_final_decision_download_as_the_page_shows_them(
    casework: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = casework
    await act(client, {"action": "accept"})
    await act(
        client,
        {
            "action": "issue_draft",
            "outcome": "partly_upheld",
            "summary": DRAFT_SUMMARY,
            "recommendations": [{"type": "apology", "description": ACTION}],
        },
    )
    # The complainant follows the page's link (in their language) to the draft.
    links = await download_links(client)
    assert [link.split("?")[0] for link in links] == [PATHS["draft"][0]]
    draft = pdf_text(await client.get(links[0]), "draft")
    assert "We propose to uphold part of your complaint." in draft
    assert DRAFT_SUMMARY in draft
    assert ACTION in draft
    assert REFERENCE in draft
    assert (await client.get(PATHS["final"][0], params=TOKEN)).status_code == 404
    welsh = await client.get(PATHS["draft"][0], params={**TOKEN, "lang": "cy"})
    assert PdfReader(io.BytesIO(welsh.content)).trailer["/Root"]["/Lang"] == "cy"
    # Staff download the same document, and the journal records it before it is shown.
    assert pdf_text(await client.get(PATHS["draft"][1], headers=STAFF), "draft") == draft
    assert ("GET /v1/cases/{reference}/decision/draft.pdf", ["case", "draft_decision"]) in (
        await journal_seen(client)
    )

    comments = await client.post(
        f"/v1/track/{REFERENCE}/comments", params=TOKEN, json={"comments": "It was four months."}
    )
    assert comments.status_code == 200, comments.text
    await act(
        client,
        {
            "action": "issue_final",
            "outcome": "upheld",
            "summary": FINAL_SUMMARY,
            "changes_since_draft": "Your comments showed the delay was longer than we thought.",
            "recommendations": [{"type": "apology", "description": ACTION}],
        },
    )
    links = await download_links(client)
    assert [link.split("?")[0] for link in links] == [PATHS["draft"][0], PATHS["final"][0]]
    final = pdf_text(await client.get(links[1]), "final")
    assert "We upheld your complaint." in final
    assert FINAL_SUMMARY in final
    assert ACTION in final
    assert REFERENCE in final
    # The complainant's comments are theirs and the page's, not the decision's.
    assert "It was four months." not in final
    assert pdf_text(await client.get(PATHS["final"][1], headers=STAFF), "final") == final
    seen = await journal_seen(client)
    assert ("GET /v1/cases/{reference}/decision/final.pdf", ["case", "decision"]) in seen
