"""Operator job: re-encrypt every stored Fernet token under the newest key (MultiFernet.rotate).

Key rotation (docs/design.md §6): prepend the new key to `REDRESS_ENCRYPTION_KEYS`, restart the
services (new rows use it, old rows still decrypt), then run

    REDRESS_ENCRYPTION_KEYS=new,old .venv/bin/python -m shared.reencrypt --database-url URL

for each of intake, casework, notifications and feedback; once every run reports 0 unreadable, the
old key can be dropped. The job reflects the schema, so every binary column is covered without a
list to keep in step: a value that is not a Fernet token is left alone, a token no listed key opens
is counted as unreadable (and makes the exit status 1) rather than overwritten.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.crypto import Cipher, DecryptionError
from shared.db import Database
from shared.settings import ServiceSettings

# Fernet tokens are url-safe base64 of a version byte 0x80: they all begin with "gAAAAA".
FERNET_PREFIX = b"gAAAAA"
# Rows re-encrypted per transaction: small enough not to hold SQLite's write lock for long.
BATCH_ROWS = 200


@dataclass
class Rotation:
    rotated: int = 0
    unreadable: int = 0


def _binary_columns(table: sa.Table) -> list[sa.Column[bytes]]:
    return [column for column in table.columns if isinstance(column.type, sa.LargeBinary)]


async def _tables(connection: AsyncConnection) -> list[sa.Table]:
    metadata = sa.MetaData()
    await connection.run_sync(metadata.reflect)
    return [table for table in metadata.sorted_tables if table.primary_key.columns]


def _rotate_row(
    cipher: Cipher, row: sa.Row[tuple[object, ...]], columns: list[str], result: Rotation
) -> dict[str, bytes]:
    changes: dict[str, bytes] = {}
    for name in columns:
        value = row._mapping[name]
        if not isinstance(value, bytes | memoryview) or not bytes(value).startswith(FERNET_PREFIX):
            continue
        try:
            changes[name] = cipher.rotate(bytes(value))
        except DecryptionError:
            result.unreadable += 1
    result.rotated += len(changes)
    return changes


async def _rotate_table(db: Database, table: sa.Table, cipher: Cipher, result: Rotation) -> None:
    binary = [column.name for column in _binary_columns(table)]
    if not binary:
        return
    keys = list(table.primary_key.columns)
    offset = 0
    while True:
        async with db.transaction() as session:
            query = sa.select(*keys, *(table.c[name] for name in binary))
            rows = (
                await session.execute(query.order_by(*keys).offset(offset).limit(BATCH_ROWS))
            ).all()
            for row in rows:
                changes = _rotate_row(cipher, row, binary, result)
                if changes:
                    where = [key == row._mapping[key.name] for key in keys]
                    await session.execute(sa.update(table).where(*where).values(**changes))
        if len(rows) < BATCH_ROWS:
            return
        offset += BATCH_ROWS


async def reencrypt(database_url: str, cipher: Cipher) -> Rotation:
    """Rewrite every Fernet token in the database under the cipher's newest key."""
    db = Database(database_url)
    result = Rotation()
    try:
        async with db.engine.connect() as connection:
            tables = await _tables(connection)
        for table in tables:
            await _rotate_table(db, table, cipher, result)
    finally:
        await db.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="the service's database URL")
    arguments = parser.parse_args(argv)
    result = asyncio.run(reencrypt(arguments.database_url, ServiceSettings().cipher()))
    print(f"rotated {result.rotated} values; {result.unreadable} unreadable")
    return 1 if result.unreadable else 0


if __name__ == "__main__":
    raise SystemExit(main())
