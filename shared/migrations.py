"""Alembic, one migration history per service; the service upgrades its database at start-up.

Each service's `migrations/env.py` is two lines: import its metadata and call `run_env(metadata)`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(database_url: str, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str, migrations_dir: Path) -> None:
    """Blocking: run from a thread (`asyncio.to_thread`), since env.py runs its own event loop."""
    command.upgrade(alembic_config(database_url, migrations_dir), "head")


# Two instances of a service starting together on one PostgreSQL database would both run the
# upgrade; the second waits on this lock (held until the first commits) and then finds the schema
# at head. Any constant works; this one is "redress" in ASCII.
MIGRATION_LOCK_ID = 0x72656472657373


def run_env(metadata: MetaData) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())
