"""Verify the access journal's hash chains (issue 14 part 4):

    python -m services.casework.journal check                   # every case's chain
    python -m services.casework.journal check --reference RDR-2026-ABC123

Exits 0 when every chain is intact and 1 naming the first broken entry. Reads the casework
database of CASEWORK_DATABASE_URL read-only and without taking a write lock, so it can run beside
the running service: shared/db.py begins every SQLite transaction IMMEDIATE, which would wait on
(and after the busy timeout fail with "database is locked" behind) the app's writers.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.casework.domain.journal import first_broken
from services.casework.journal.store import JournalStore
from services.casework.settings import CaseworkSettings

BROKEN = 1


def read_only_url(database_url: str) -> str:
    """SQLite opened with mode=ro (no write lock, no BEGIN IMMEDIATE); other URLs unchanged."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return database_url
    return str(url.set(database=f"file:{url.database}", query={"mode": "ro", "uri": "true"}))


@asynccontextmanager
async def read_only_session(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(read_only_url(database_url))
    try:
        async with AsyncSession(engine) as session:
            if engine.dialect.name == "postgresql":
                await session.execute(text("SET TRANSACTION READ ONLY"))
            yield session
    finally:
        await engine.dispose()


async def check(database_url: str, reference: str | None) -> tuple[int, list[str]]:
    """The exit code and the lines to print."""
    async with read_only_session(database_url) as session:
        store = JournalStore(session)
        references = [reference] if reference else await store.references()
        checked = 0
        for each in references:
            entries = await store.chain(each)
            checked += len(entries)
            broken = first_broken(entries)
            if broken is not None:
                line = f"BROKEN {broken.reference} entry {broken.seq}: {broken.reason}"
                return BROKEN, [line]
    return 0, [f"OK {len(references)} case(s), {checked} entr(ies), every chain intact"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.casework.journal")
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="verify the hash chains")
    checking.add_argument("--reference", help="only this case")
    arguments = parser.parse_args(argv)
    code, lines = asyncio.run(check(CaseworkSettings().database_url, arguments.reference))
    for line in lines:
        print(line, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
