"""Operator job: recompute every look-up digest under the newest look-up key (issue 13 item 8).

Look-up key rotation (docs/runbook.md "Key rotation"): set `REDRESS_LOOKUP_KEY` to the new key and
`REDRESS_PREVIOUS_LOOKUP_KEYS` to the old one, restart the services (new rows use the new key,
look-ups match under either), then run

    .venv/bin/python -m shared.reindex --database-url URL

for intake, casework and notifications. Two kinds of digest column:

- kept beside its encrypted source in the same row (complaints' email/phone/name, enquiries'
  sender, cases' complainant name/email): decrypted and recomputed, so every such row moves;
- kept alone, the value never stored (the suppression list's addresses, the handled mails'
  message keys): a digest is moved when the value is still known elsewhere in the database
  (messages' recipients and contacts; enquiries' first message keys and complaints'
  Idempotency-Keys), and otherwise cannot be recomputed. The job counts those as `kept`: the ones
  written before the rotation match only while the old key is listed (a digest does not say which
  key made it, so rows written under the new key since are counted too), so drop the previous key
  once every database reports 0 kept, or accept that those entries stop matching (the runbook).

Idempotent: a digest already under the newest key is left alone, so the job can be re-run. A
source no listed encryption key opens is named (table and row) and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shared.crypto import Cipher, DecryptionError
from shared.db import Database
from shared.settings import ServiceSettings

# Rows read or rewritten per transaction: small enough not to hold SQLite's write lock for long
# (the same reason, and size, as shared/reencrypt.py).
BATCH_ROWS = 200

Value = Callable[[Any], str | None]


def _complainant(field_name: str, normalise: Callable[[str], str] = str) -> Value:
    def value(document: Any) -> str | None:
        found = (document.get("complainant") or {}).get(field_name)
        return normalise(found) if isinstance(found, str) and found else None

    return value


def _collapse_spaces(name: str) -> str:
    """Casework compares names with spacing collapsed (services/casework/store.py name_key)."""
    return " ".join(name.split())


def _top_level(field_name: str) -> Value:
    def value(document: Any) -> str | None:
        found = document.get(field_name) if isinstance(document, dict) else None
        return found if isinstance(found, str) and found else None

    return value


@dataclass(frozen=True)
class InRow:
    """Digest columns recomputed from an encrypted JSON document in the same row."""

    table: str
    source: str
    digests: dict[str, Value]


@dataclass(frozen=True)
class Known:
    """Where a digest-only table's values may still be found: a column, plain or encrypted, and
    for a JSON document the fields that hold them."""

    table: str
    column: str
    encrypted: bool
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestOnly:
    table: str
    column: str
    known: tuple[Known, ...]


IN_ROW = (
    InRow(
        "complaints",
        "personal_data",
        {
            "email_digest": _complainant("email"),
            "phone_digest": _complainant("phone"),
            "name_digest": _complainant("name"),
        },
    ),
    InRow("incomplete_email_complaints", "personal_data", {"sender_digest": _top_level("sender")}),
    InRow(
        "cases",
        "complaint",
        {
            "complainant_name_digest": _complainant("name", _collapse_spaces),
            "complainant_email_digest": _complainant("email"),
        },
    ),
)

DIGEST_ONLY = (
    DigestOnly(
        "suppressions",
        "address_digest",
        (
            Known("messages", "recipient", encrypted=True),
            Known("contacts", "personal_data", encrypted=True, fields=("email", "phone")),
        ),
    ),
    DigestOnly(
        "handled_emails",
        "message_digest",
        (
            Known("incomplete_email_complaints", "source_message_key", encrypted=False),
            Known("complaints", "idempotency_key", encrypted=False),
        ),
    ),
)


@dataclass
class Reindex:
    reindexed: int = 0
    kept: int = 0
    unreadable: list[str] = field(default_factory=list)


def _has(tables: dict[str, sa.Table], table: str, *columns: str) -> bool:
    return table in tables and all(column in tables[table].c for column in columns)


def _row_name(table: sa.Table, row: sa.Row[Any]) -> str:
    keys = ", ".join(f"{key.name}={row._mapping[key.name]}" for key in table.primary_key.columns)
    return f"{table.name} ({keys})"


async def _batches(db: Database, query: sa.Select[Any]) -> Any:
    """`query`'s rows, BATCH_ROWS per transaction, ordered (so offsets are stable)."""
    offset = 0
    while True:
        async with db.transaction() as session:
            rows = (await session.execute(query.offset(offset).limit(BATCH_ROWS))).all()
            yield session, rows
        if len(rows) < BATCH_ROWS:
            return
        offset += BATCH_ROWS


async def _reindex_in_row(db: Database, table: sa.Table, spec: InRow, cipher: Cipher) -> Reindex:
    result = Reindex()
    keys = list(table.primary_key.columns)
    columns = [table.c[name] for name in spec.digests]
    query = sa.select(*keys, table.c[spec.source], *columns).order_by(*keys)
    async for session, rows in _batches(db, query):
        for row in rows:
            source = row._mapping[spec.source]
            if source is None:
                continue  # anonymised or forgotten: its digests were cleared with it
            try:
                document = cipher.decrypt_json(bytes(source))
            except DecryptionError:
                result.unreadable.append(_row_name(table, row))
                continue
            changes = {}
            for name, value in spec.digests.items():
                found = value(document)
                wanted = cipher.lookup_digest(found) if found else None
                if row._mapping[name] != wanted:
                    changes[name] = wanted
            if changes:
                where = [key == row._mapping[key.name] for key in keys]
                await session.execute(sa.update(table).where(*where).values(**changes))
                result.reindexed += 1
    return result


def _values(document: Any, fields: tuple[str, ...]) -> Iterator[str]:
    if not fields:
        if isinstance(document, str) and document:
            yield document
        return
    for name in fields:
        found = document.get(name) if isinstance(document, dict) else None
        if isinstance(found, str) and found:
            yield found


async def _known_values(
    db: Database, tables: dict[str, sa.Table], known: Known, cipher: Cipher, result: Reindex
) -> list[str]:
    table = tables[known.table]
    keys = list(table.primary_key.columns)
    query = sa.select(*keys, table.c[known.column]).where(table.c[known.column].is_not(None))
    values: list[str] = []
    async for _session, rows in _batches(db, query.order_by(*keys)):
        for row in rows:
            stored = row._mapping[known.column]
            if not known.encrypted:
                values.append(str(stored))
                continue
            try:
                plain = cipher.decrypt(bytes(stored))
            except DecryptionError:
                result.unreadable.append(_row_name(table, row))
                continue
            values.extend(_values(json.loads(plain) if known.fields else plain, known.fields))
    return values


async def _rekey(db: Database, table: sa.Table, column: str, moves: dict[str, str]) -> int:
    """Move digests under a previous key to the newest, BATCH_ROWS per transaction; a digest
    already stored under the newest key too (added since the rotation) just loses its old twin."""
    moved = 0
    digest = table.c[column]
    olds = list(moves)
    for start in range(0, len(olds), BATCH_ROWS):
        async with db.transaction() as session:
            batch = olds[start : start + BATCH_ROWS]
            found = set(await session.scalars(sa.select(digest).where(digest.in_(batch))))
            present = set(
                await session.scalars(
                    sa.select(digest).where(digest.in_([moves[old] for old in found]))
                )
            )
            for old in found:
                if moves[old] in present:
                    await session.execute(sa.delete(table).where(digest == old))
                else:
                    await session.execute(
                        sa.update(table).where(digest == old).values({column: moves[old]})
                    )
                    present.add(moves[old])
                moved += 1
    return moved


async def _count_unknown(db: Database, table: sa.Table, column: str, known: set[str]) -> int:
    digest = table.c[column]
    unknown = 0
    async for _session, rows in _batches(db, sa.select(digest).order_by(digest)):
        unknown += sum(1 for (value,) in rows if value not in known)
    return unknown


async def _reindex_digest_only(
    db: Database, tables: dict[str, sa.Table], spec: DigestOnly, cipher: Cipher
) -> Reindex:
    result = Reindex()
    moves: dict[str, str] = {}
    newest: set[str] = set()
    for known in spec.known:
        if not _has(tables, known.table, known.column):
            continue
        for value in await _known_values(db, tables, known, cipher, result):
            new, *previous = cipher.lookup_digests(value)
            newest.add(new)
            moves.update((old, new) for old in previous if old != new)
    result.reindexed = await _rekey(db, tables[spec.table], spec.column, moves)
    result.kept = await _count_unknown(db, tables[spec.table], spec.column, newest)
    return result


async def reindex(database_url: str, cipher: Cipher) -> Reindex:
    """Recompute every look-up digest in the database under the cipher's newest look-up key."""
    db = Database(database_url)
    total = Reindex()
    try:
        metadata = sa.MetaData()
        async with db.engine.connect() as connection:
            await connection.run_sync(metadata.reflect)
        tables = dict(metadata.tables)
        results = [
            await _reindex_in_row(db, tables[spec.table], spec, cipher)
            for spec in IN_ROW
            if _has(tables, spec.table, spec.source, *spec.digests)
        ]
        results += [
            await _reindex_digest_only(db, tables, spec, cipher)
            for spec in DIGEST_ONLY
            if _has(tables, spec.table, spec.column)
        ]
    finally:
        await db.dispose()
    for result in results:
        total.reindexed += result.reindexed
        total.kept += result.kept
        total.unreadable += result.unreadable
    return total


def report(result: Reindex) -> list[str]:
    """What the job prints: counts, then each row whose source no listed key opens."""
    lines = [
        f"reindexed {result.reindexed} rows; {result.kept} kept (no stored source); "
        f"{len(result.unreadable)} unreadable"
    ]
    return lines + [f"unreadable: {name}" for name in result.unreadable]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="the service's database URL")
    arguments = parser.parse_args(argv)
    result = asyncio.run(reindex(arguments.database_url, ServiceSettings().cipher()))
    print("\n".join(report(result)))
    return 1 if result.unreadable else 0


if __name__ == "__main__":
    raise SystemExit(main())
