"""`redress token`, `keys`, `staff`, `rebuild reports` and `retention run` on real SQLite files
and the real test broker, and `--help` on every command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from cryptography.fernet import Fernet

from redress_cli.main import app
from services.casework.settings import CaseworkSettings
from services.casework.staff import Policy
from services.casework.staff.__main__ import accounts_on
from services.casework.staff_store import StaffStore
from services.intake.domain import DEFAULT_RULES
from services.intake.schemas import ComplaintRequest
from services.intake.settings import IntakeSettings
from services.intake.store import intake_stores
from services.intake.store import metadata as intake_metadata
from services.intake.submissions import ComplaintIntake
from shared.auth import Role, decode_staff_token
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, Cipher
from shared.db import Database
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Messaging
from shared.outbox import outbox_table
from shared.settings import DEVELOPMENT_AUTH_SECRET
from tests.integration.cli.cli_kit import invoke, redress, text
from tests.unit.intake.hostile_requests import TODAY, valid_complaint

pytestmark = pytest.mark.integration


def command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under `command` (typer's groups have `commands`)."""
    paths = [path]
    if isinstance(getattr(command, "commands", None), dict):
        for name, sub in command.commands.items():
            paths += command_paths(sub, (*path, name))
    return paths


def test_every_command_has_help() -> None:
    paths = command_paths(typer.main.get_command(app))
    # Every command of the issue is there.
    for expected in [
        ("topics", "check"), ("topics", "create"), ("topics", "describe"), ("lag",),
        ("dlq", "list"), ("dlq", "show"), ("dlq", "replay"), ("rebuild", "reports"),
        ("retention", "run"), ("keys", "rotate"), ("keys", "reencrypt"), ("keys", "reindex"),
        ("staff", "add"), ("staff", "disable"), ("token",),
    ]:  # fmt: skip
        assert expected in paths
    for path in paths:
        result = invoke(*path, "--help")
        assert result.exit_code == 0, (path, text(result))
        assert "Usage:" in text(result)
    show_help = text(invoke("dlq", "show", "--help"))
    assert "PERSONAL DATA" in show_help


def test_token_is_a_staff_jwt_and_is_refused_in_production() -> None:
    result = invoke("token", "--role", "manager", "--sub", "m-1", env={"COLUMNS": "40"})
    assert result.exit_code == 0, text(result)
    user = decode_staff_token(DEVELOPMENT_AUTH_SECRET, result.stdout.strip())
    assert (user.sub, user.role) == ("m-1", Role.MANAGER)

    refused = invoke("token", env={"REDRESS_ENVIRONMENT": "production"})
    assert refused.exit_code == 2
    assert "production" in text(refused)


def test_keys_rotate_prints_a_new_key_before_the_current_ones() -> None:
    # A narrow terminal must not fold the values an operator copies.
    env = {"REDRESS_ENCRYPTION_KEYS": DEVELOPMENT_ENCRYPTION_KEY, "COLUMNS": "40"}
    result = invoke("keys", "rotate", env=env)
    assert result.exit_code == 0, text(result)
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    new_key = lines["new key"]
    Fernet(new_key.encode())  # a valid Fernet key
    assert f"REDRESS_ENCRYPTION_KEYS={new_key},{DEVELOPMENT_ENCRYPTION_KEY}" in result.stdout


async def test_keys_reencrypt_rewrites_values_under_the_newest_key(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'secrets.db'}"
    metadata = sa.MetaData()
    table = sa.Table(
        "secrets",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.LargeBinary),
    )
    old = Cipher(DEVELOPMENT_ENCRYPTION_KEY)
    db = Database(url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(sa.insert(table).values(id=1, v=old.encrypt("a secret")))
    new_key = Fernet.generate_key().decode()
    keys = f"{new_key},{DEVELOPMENT_ENCRYPTION_KEY}"
    try:
        result = await redress(
            "keys", "reencrypt", "--database-url", url, env={"REDRESS_ENCRYPTION_KEYS": keys}
        )
        assert result.exit_code == 0, text(result)
        assert "rotated 1 values; 0 unreadable" in text(result)
        async with db.sessions() as session:
            stored = await session.scalar(sa.select(table.c.v))
        assert isinstance(stored, bytes)
        assert Cipher(new_key).decrypt(stored) == "a secret"
    finally:
        await db.dispose()


async def test_staff_add_then_disable_through_the_casework_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}"
    email = "ops.person@staff.redress.test"
    added = await redress(
        "staff", "add", "--email", email, "--name", "Ops Person", "--role", "admin",
        "--password-stdin", "--database-url", url, stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert added.exit_code == 0, text(added)
    assert email in text(added)
    settings = CaseworkSettings(database_url=url)
    db = Database(url)
    policy = Policy(timedelta(minutes=30), timedelta(hours=12), 10, timedelta(minutes=15))
    accounts = accounts_on(db, settings, policy)
    try:
        signed_in = await accounts.sign_in(email, "a long enough passphrase", datetime.now(UTC))
        assert signed_in.session is not None
        disabled = await redress("staff", "disable", "--email", email, "--database-url", url)
        assert disabled.exit_code == 0, text(disabled)
        async with db.sessions() as session:
            account = await StaffStore(session).account_by_email(email)
        assert account is not None
        assert not account["active"]
        unknown = await redress("staff", "disable", "--email", "no@x.test", "--database-url", url)
        assert unknown.exit_code == 2
    finally:
        await db.dispose()


async def test_rebuild_reports_migrates_a_fresh_database_and_reports_its_rate(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}"
    result = await redress("rebuild", "reports", "--database-url", url)
    assert result.exit_code == 0, text(result)
    assert "events/s" in text(result)
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert "alembic_version" in tables
    finally:
        await db.dispose()


def outbox_row(event_id: str, published_at: datetime | None) -> dict[str, object]:
    return {
        "event_id": event_id, "topic": "t", "message_key": "k", "ce_type": "redress.test",
        "headers": {}, "value": b"{}", "created_at": datetime.now(UTC),
        "published_at": published_at,
    }  # fmt: skip


async def a_complaint_closed(db: Database, url: str, closed_at: datetime) -> str:
    """A complaint submitted through intake whose case closed at `closed_at`; its reference."""
    settings = IntakeSettings(database_url=url)
    messaging = Messaging("intake", settings, db, intake_metadata)
    uow = SqlUnitOfWork(db, messaging, intake_stores(settings.cipher()))
    complaint = ComplaintRequest.model_validate(
        valid_complaint(), context={"today": TODAY}
    ).to_complaint()
    submitted = await ComplaintIntake(uow, DEFAULT_RULES).submit(
        complaint, idempotency_key="cli-retention", now=closed_at - timedelta(days=30)
    )
    reference = submitted.accepted.reference
    async with uow.transaction() as work:
        await work.stores.complaints.mark_case_closed(reference, closed_at)
    return reference


async def test_retention_run_applies_intakes_job_and_the_outbox_retention(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    first = await redress("retention", "run", "--service", "intake", "--database-url", url)
    assert first.exit_code == 0, text(first)
    assert "intake: 0 complaints anonymised, 0 emails forgotten" in text(first)
    outbox = outbox_table(sa.MetaData())
    now = datetime.now(UTC)
    db = Database(url)
    try:
        reference = await a_complaint_closed(db, url, now - timedelta(days=400))
        anonymised = await redress("retention", "run", "--service", "intake", "--database-url", url)
        assert "intake: 1 complaints anonymised" in text(anonymised)
        async with db.sessions() as session:
            stores = intake_stores(Cipher(DEVELOPMENT_ENCRYPTION_KEY))(session)
            stored = await stores.complaints.by_idempotency_key("cli-retention")
        assert stored is not None
        assert stored.reference == reference
        assert stored.personal is None
        async with db.transaction() as session:
            await session.execute(sa.delete(outbox))
        async with db.transaction() as session:
            await session.execute(
                sa.insert(outbox),
                [
                    outbox_row("old", now - timedelta(days=30)),
                    outbox_row("recent", now - timedelta(hours=1)),
                    outbox_row("unpublished", None),
                ],
            )
        result = await redress("retention", "run", "--service", "intake", "--database-url", url)
        assert result.exit_code == 0, text(result)
        assert "intake: 1 published outbox rows older than 7 days deleted" in text(result)
        async with db.sessions() as session:
            kept = set(await session.scalars(sa.select(outbox.c.event_id)))
        assert kept == {"recent", "unpublished"}
    finally:
        await db.dispose()
    unknown = await redress("retention", "run", "--service", "nobody", "--database-url", url)
    assert unknown.exit_code == 2


async def test_retention_run_applies_the_notifications_job(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}"
    result = await redress("retention", "run", "--service", "notifications", "--database-url", url)
    assert result.exit_code == 0, text(result)
    assert "notifications: 0 messages redacted" in text(result)
    assert "notifications: 0 published outbox rows" in text(result)


def test_replaying_a_whole_dlq_without_filters_asks_first() -> None:
    # Refused at the question, before any broker is contacted.
    result = invoke("dlq", "replay", "intake", "--all", "--bootstrap", "127.0.0.1:1", stdin="n\n")
    assert result.exit_code == 1
    assert "Replay every dead letter of intake?" in text(result)
    assert "nothing replayed" in text(result)
