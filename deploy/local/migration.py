"""Writes a new Alembic revision for one service from its table definitions.

    python -m deploy.local.migration <service> "<message>"

It upgrades a scratch SQLite database to the current head, then autogenerates the difference.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from shared.migrations import alembic_config, upgrade_to_head
from shared.settings import PROJECT_ROOT


def main() -> None:
    service, message = sys.argv[1], sys.argv[2]
    migrations_dir = PROJECT_ROOT / "services" / service / "migrations"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade_to_head(url, migrations_dir)
        command.revision(alembic_config(url, migrations_dir), message=message, autogenerate=True)


if __name__ == "__main__":
    main()
