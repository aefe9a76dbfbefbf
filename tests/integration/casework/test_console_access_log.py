"""The access journal on the console (issue 14 part 4): opening the case page is a recorded read
(contact details only when shown), and managers see who looked on the case page; caseworkers do
not. Casework in-process on the real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.casework.journal import access_log
from tests.integration.casework.casework_kit import SECRET_WORDS, visible_text
from tests.integration.casework.console_kit import Console, console_app
from tests.integration.casework.test_console_worklists import ROSTER, open_cases

pytestmark = pytest.mark.integration

CONSOLE_ROUTE = "GET /staff/cases/{reference}"


@pytest.fixture
async def console(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Console]:
    async with console_app(database_url, kafka_bootstrap, initial_roster=ROSTER) as running:
        yield running


async def test_case_page_reads_are_recorded_and_managers_see_who_looked(
    console: Console, kafka_bootstrap: str
) -> None:
    (reference,) = await open_cases(console, kafka_bootstrap, datetime.now(UTC))
    journal = console.app.state.journal
    before = len((await access_log(journal, reference))["entries"])  # open_cases read it by API

    # A caseworker the case is not assigned to (cw-9 is parliamentary; the case is health).
    caseworker = console.visitor()
    await caseworker.sign_in(
        await console.add_staff("caseworker", account_id="cw-9", name="Jo Evans")
    )
    seen_by_caseworker = await caseworker.get(f"/staff/cases/{reference}")
    assert seen_by_caseworker.status_code == 200
    assert "Who looked at this case" not in seen_by_caseworker.text

    manager = console.visitor()
    await manager.sign_in(await console.add_staff("manager", name="Morgan Lee"))
    page = await manager.get(f"/staff/cases/{reference}")
    assert page.status_code == 200

    entries = (await access_log(journal, reference))["entries"][before:]
    assert [(e["actor"]["name"], e["role"], e["route"]) for e in entries] == [
        ("Jo Evans", "caseworker", CONSOLE_ROUTE),
        ("Morgan Lee", "manager", CONSOLE_ROUTE),
    ]
    assert entries[0]["seen"] == ["case", "complaint", "messages"]  # no contact details shown
    assert entries[1]["seen"] == ["case", "complaint", "contact_details", "messages"]

    words = visible_text(page.text)
    assert "Who looked at this case" in words
    assert "Record intact" in words
    assert "Jo Evans (caseworker)" in words
    assert "Morgan Lee (manager)" in words, "the manager's own read is on the page it opens"
    assert "Case, complaint, contact details, messages" in words
    table = page.text.split('id="access-log"')[1].split("</table>")[0]
    assert not any(secret in table for secret in SECRET_WORDS)
