"""What every store repeats: its metadata header and dialect-aware inserts.

    metadata, outbox, inbox = service_tables()

at the top of a service's `store.py` gives it its own `MetaData` with the outbox and inbox tables
that shared/outbox.py and shared/inbox.py use, so its migrations create them beside its own.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.inbox import inbox_table
from shared.outbox import outbox_table


class ServiceTables(NamedTuple):
    metadata: MetaData
    outbox: Table
    inbox: Table


def service_tables() -> ServiceTables:
    """A new `MetaData` for one service's database, holding its outbox and inbox tables."""
    metadata = MetaData()
    return ServiceTables(metadata, outbox_table(metadata), inbox_table(metadata))


def upsert_statement(session: AsyncSession, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT on both supported databases (PostgreSQL and SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    """Rows an UPDATE, DELETE or INSERT touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)
