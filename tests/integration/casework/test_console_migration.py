"""The console's migration on a database from before it (issue 10): the roster rows become
caseworker accounts, and existing cases get their search digests (from the encrypted complaint),
work-list deadline, pause flag and themes backfilled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from services.casework.domain import CaseworkRules, open_case, work_deadline
from services.casework.store import name_key
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, Cipher
from shared.events import Channel, EligibilityFlags, Organisation, Sector
from shared.migrations import alembic_config, upgrade_to_head

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "casework" / "migrations"
BEFORE_THE_CONSOLE = "c1a84c9cd4b5"


def test_the_roster_and_existing_cases_are_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "casework.db"
    url = f"sqlite+aiosqlite:///{path}"
    command.upgrade(alembic_config(url, MIGRATIONS), BEFORE_THE_CONSOLE)
    cipher = Cipher(DEVELOPMENT_ENCRYPTION_KEY)
    received = datetime.now(UTC) - timedelta(days=3)
    case, _ = open_case(
        "RDR-2026-MIGR8T",
        Organisation(name="Eastfield Council", sector=Sector.OTHER),
        Channel.WEB,
        received,
        EligibilityFlags(eligible=True),
        extra_time=False,
        rules=CaseworkRules(),
    )
    case.themes = ["delay", "communication"]
    case.paused_since = received
    complaint = {"complainant": {"name": "Ada  Lovelace", "email": "Ada@Example.org"}}
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        old = sa.MetaData()
        old.reflect(connection)
        connection.execute(
            old.tables["caseworkers"].insert(),
            [
                {"caseworker_id": "cw-7", "name": "Priya Shah", "sectors": ["other"], "active": 1},
                {"caseworker_id": "cw-8", "name": "Tom Reed", "sectors": ["health"], "active": 0},
            ],
        )
        connection.execute(
            old.tables["cases"].insert(),
            {
                "reference": case.reference,
                "stage": case.stage.value,
                "organisation_name": case.organisation.name,
                "sector": case.organisation.sector.value,
                "caseworker_id": None,
                "opened_at": received,
                "next_deadline_on": None,
                "document": case.model_dump(mode="json"),
                "version": 1,
                "tracking_token_hash": "0" * 64,
                "complaint": cipher.encrypt_json(complaint),
            },
        )

    upgrade_to_head(url, MIGRATIONS)

    with engine.connect() as connection:
        accounts = connection.execute(
            sa.text("SELECT account_id, name, role, skills, active, email FROM staff_accounts")
        ).all()
        row = connection.execute(
            sa.text(
                "SELECT complainant_name_digest, complainant_email_digest, work_deadline_on,"
                " paused FROM cases"
            )
        ).one()
        themes = connection.execute(sa.text("SELECT theme FROM case_themes ORDER BY theme")).all()
        tables = sa.inspect(connection).get_table_names()
    engine.dispose()
    assert sorted((a[0], a[1], a[2], a[4], a[5]) for a in accounts) == [
        ("cw-7", "Priya Shah", "caseworker", 1, None),
        ("cw-8", "Tom Reed", "caseworker", 0, None),
    ]
    assert "caseworkers" not in tables
    assert row[0] == cipher.lookup_digest(name_key("ada lovelace"))
    assert row[1] == cipher.lookup_digest("ada@example.org")
    expected = work_deadline(case)
    assert expected is not None
    assert row[2] == expected.due_by.isoformat()
    assert row[3] == 1
    assert [t[0] for t in themes] == ["communication", "delay"]
