"""The access journal (issue 14 part 4) on both databases with the service running: staff reads
are recorded, managers read them back, the database refuses edits, the check command (run
beside the app, even while it holds a write lock) finds a forged entry, and the journal is
removed with its case and not before."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.casework.journal.store import JournalStore
from services.casework.tables import access_journal
from shared.auth import Role, issue_staff_token
from shared.settings import DEVELOPMENT_AUTH_SECRET
from tests.integration.casework.casework_kit import (
    SECRET_WORDS,
    STAFF,
    new_reference,
    opened_case,
)

pytestmark = pytest.mark.integration

CASEWORKER = {
    "Authorization": "Bearer "
    + issue_staff_token(DEVELOPMENT_AUTH_SECRET, sub="cw-9", name="Casey", role=Role.CASEWORKER)
}
CASE_ROUTE = "GET /v1/cases/{reference}"


async def run_check(database_url: str, *arguments: str) -> tuple[int, str]:
    """`python -m services.casework.journal check` as an operator runs it, in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.casework.journal",
        "check",
        *arguments,
        env={**os.environ, "CASEWORK_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def access_log(client: httpx.AsyncClient, reference: str) -> dict[str, Any]:
    response = await client.get(f"/v1/cases/{reference}/access-log", headers=STAFF)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_staff_reads_are_recorded_and_managers_read_them_back(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, _ = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)  # the complainant's own views
    assert (await access_log(client, reference))["entries"] == []

    assert (await client.get(f"/v1/cases/{reference}", headers=CASEWORKER)).status_code == 200
    assert (await client.get(f"/v1/cases/{reference}", headers=STAFF)).status_code == 200
    log = await access_log(client, reference)
    assert log["chain"] == {"intact": True, "first_broken_seq": None, "reason": None}
    entries = log["entries"]
    assert [(e["seq"], e["actor"], e["role"]) for e in entries] == [
        (1, {"id": "cw-9", "name": "Casey"}, "caseworker"),
        (2, {"id": "m1", "name": "Morgan"}, "manager"),
    ]
    assert {e["route"] for e in entries} == {CASE_ROUTE}
    assert entries[0]["seen"] == ["case", "complaint", "contact_details", "messages"]
    assert entries[1]["prev_hash"] == entries[0]["hash"]
    assert not any(secret in json.dumps(log) for secret in SECRET_WORDS)

    # The journal itself is for managers; an unknown case is not found.
    refused = await client.get(f"/v1/cases/{reference}/access-log", headers=CASEWORKER)
    assert refused.status_code == 403
    missing = await client.get("/v1/cases/RDR-NOPE/access-log", headers=STAFF)
    assert missing.status_code == 404


async def test_the_database_refuses_edits_and_the_check_names_a_forged_entry(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str, database_url: str
) -> None:
    client, app = casework
    reference, other = new_reference(), new_reference()
    for each in (reference, other):
        await opened_case(client, kafka_bootstrap, each)
    for _ in range(3):
        await client.get(f"/v1/cases/{reference}", headers=CASEWORKER)
    await client.get(f"/v1/cases/{other}", headers=STAFF)
    db = app.state.service.db

    for statement in (
        access_journal.update()
        .where(access_journal.c.reference == reference)
        .values(actor_name="Nobody"),
        access_journal.delete().where(access_journal.c.reference == reference),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.execute(statement)

    # Run beside the app while it holds the write lock (SQLite: BEGIN IMMEDIATE).
    async with db.transaction() as session:
        await session.execute(text("SELECT 1 FROM cases LIMIT 1"))
        code, output = await run_check(database_url)
    assert (code, output.split()[0]) == (0, "OK"), output

    # Someone with the database's keys turns the guard off and rewrites who looked.
    async with db.transaction() as session:
        if db.is_postgres:
            await session.execute(text("ALTER TABLE access_journal DISABLE TRIGGER ALL"))
        else:
            await session.execute(text("DROP TRIGGER access_journal_no_update"))
        await session.execute(
            access_journal.update()
            .where(access_journal.c.reference == reference, access_journal.c.seq == 2)
            .values(actor_name="Somebody else")
        )
    code, output = await run_check(database_url)
    assert code == 1
    assert f"BROKEN {reference} entry 2" in output
    code, output = await run_check(database_url, "--reference", other)
    assert code == 0, output
    log = await access_log(client, reference)
    assert log["chain"]["intact"] is False
    assert log["chain"]["first_broken_seq"] == 2


async def test_the_journal_is_kept_as_long_as_the_case_and_removed_with_it(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    await client.get(f"/v1/cases/{reference}", headers=STAFF)
    db = app.state.service.db
    with pytest.raises(ValueError, match="still exists"):
        async with db.transaction() as session:
            await JournalStore(session).remove_with_case(reference)

    async with db.transaction() as session:
        await session.execute(text("DELETE FROM cases WHERE reference = :r"), {"r": reference})
        assert await JournalStore(session).remove_with_case(reference) == 1
    async with db.sessions() as session:
        assert await JournalStore(session).chain(reference) == []
