"""`redress rebuild reports`, `retention run`, `keys rotate|reencrypt|reindex`, `staff add|disable`:
the services' own operator jobs, through their public entry points."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa
import typer
from cryptography.fernet import Fernet
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from redress_cli.config import BootstrapOption, bootstrap_servers, console, fail, run
from services.casework.settings import CaseworkSettings
from services.casework.staff import __main__ as staff_command
from services.casework.staff.accounts import ROLES
from services.intake.retention import run_once as intake_retention
from services.intake.settings import IntakeSettings
from services.notifications.retention_job import run_once as notifications_retention
from services.notifications.settings import NotificationsSettings
from services.reports.rebuild import RebuildResult, rebuild
from services.reports.settings import ReportsSettings
from shared.crypto import parse_keys
from shared.db import Database
from shared.outbox import outbox_table
from shared.reencrypt import reencrypt
from shared.reindex import reindex, report
from shared.settings import ServiceSettings
from shared.timekeeping import utc_now
from shared.topics import SERVICES

rebuild_app = typer.Typer(help="Rebuild a read model from the event log.")
retention_app = typer.Typer(help="Run a service's retention job once.")
keys_app = typer.Typer(help="Encryption keys: make a new one, re-encrypt under the newest.")
staff_app = typer.Typer(help="Casework staff accounts (CASEWORK_DATABASE_URL).")

DatabaseOption = typer.Option(
    None, "--database-url", help="The service's database (default: its <SERVICE>_DATABASE_URL)."
)


class BarDisplay:
    """The rebuild's progress as a rich progress bar."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("rebuilding the reports", total=total)

    def update(self, done: int, *, force: bool = False) -> None:
        self.progress.update(self.task, completed=done)

    def finish(self, result: RebuildResult) -> None:
        self.progress.update(self.task, completed=result.read)


@rebuild_app.command("reports")
def rebuild_reports(
    database_url: str | None = DatabaseOption, bootstrap: str | None = BootstrapOption
) -> None:
    """Rebuild the reports read model from the case, delivery and feedback topics, in one
    transaction (readers see the old model until it commits); shows events per second."""
    settings = ReportsSettings(kafka_bootstrap_servers=bootstrap_servers(bootstrap))
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        started = time.perf_counter()
        result = run(rebuild(settings, display=lambda total: BarDisplay(progress, total)))
        elapsed = time.perf_counter() - started
    rate = result.read / elapsed if elapsed > 0 else 0.0
    console.print(
        f"{result.applied} applied, {result.skipped} skipped, {result.read} events "
        f"in {elapsed:.1f} s ({rate:.0f} events/s)"
    )


async def _outbox_retention(database_url: str, days: int) -> int:
    table = outbox_table(sa.MetaData())
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            result = await session.execute(
                sa.delete(table).where(
                    table.c.published_at.is_not(None),
                    table.c.published_at < utc_now() - timedelta(days=days),
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)
    finally:
        await db.dispose()


@retention_app.command("run")
def retention_run(
    service: str = typer.Option(..., "--service", help=f"One of {', '.join(SERVICES)}."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Run the service's retention job once, as its hourly job would: intake anonymises closed
    complaints and forgets stale email complaints, notifications redacts old messages and forgets
    closed cases' contacts; every service drops published outbox rows
    older than REDRESS_OUTBOX_RETENTION_DAYS."""
    if service not in SERVICES:
        raise fail(f"unknown service {service!r}; known: {', '.join(SERVICES)}", 2)
    if service == "intake":
        settings = IntakeSettings(database_url=database_url) if database_url else IntakeSettings()
        anonymised, forgotten = run(intake_retention(settings, utc_now()))
        console.print(f"intake: {anonymised} complaints anonymised, {forgotten} emails forgotten")
        database_url = settings.database_url
    if service == "notifications":
        notifications = (
            NotificationsSettings(database_url=database_url)
            if database_url
            else NotificationsSettings()
        )
        redacted = run(notifications_retention(notifications, utc_now()))
        console.print(f"notifications: {redacted} messages redacted")
        database_url = notifications.database_url
    if database_url is None:
        raise fail(f"give --database-url for {service}'s database", 2)
    days = ServiceSettings().outbox_retention_days
    deleted = run(_outbox_retention(database_url, days))
    console.print(f"{service}: {deleted} published outbox rows older than {days} days deleted")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Print a new Fernet key and the REDRESS_ENCRYPTION_KEYS value with it first. Set that on
    every service, restart them, then run `redress keys reencrypt` for each database."""
    key = Fernet.generate_key().decode()
    current = parse_keys(ServiceSettings().encryption_keys.get_secret_value())
    console.print(f"new key: {key}", soft_wrap=True)
    console.print(
        f"REDRESS_ENCRYPTION_KEYS={','.join([key, *current])}", markup=False, soft_wrap=True
    )


@keys_app.command("reencrypt")
def keys_reencrypt(
    database_url: str = typer.Option(..., "--database-url", help="The service's database."),
) -> None:
    """Re-encrypt every stored value under the newest key of REDRESS_ENCRYPTION_KEYS (exit 1 if
    a value no listed key opens: drop an old key only after every database reports 0)."""
    result = run(reencrypt(database_url, ServiceSettings().cipher()))
    console.print(f"rotated {result.rotated} values; {result.unreadable} unreadable")
    if result.unreadable:
        raise typer.Exit(1)


@keys_app.command("reindex")
def keys_reindex(
    database_url: str = typer.Option(..., "--database-url", help="The service's database."),
) -> None:
    """Recompute every look-up digest under REDRESS_LOOKUP_KEY, after a rotation that moved the
    old key to REDRESS_PREVIOUS_LOOKUP_KEYS (exit 1 naming each row whose source cannot be
    decrypted; drop the previous key once every database reports 0 kept and 0 unreadable)."""
    result = run(reindex(database_url, ServiceSettings().cipher()))
    for line in report(result):
        console.print(line, markup=False, soft_wrap=True)
    if result.unreadable:
        raise typer.Exit(1)


def _staff(argv: list[str], database_url: str | None) -> None:
    settings = CaseworkSettings(database_url=database_url) if database_url else CaseworkSettings()
    status = staff_command.run(argv, settings)
    if status:
        raise typer.Exit(status)


@staff_app.command("add")
def staff_add(
    email: str = typer.Option(..., help="The sign-in email."),
    name: str = typer.Option(..., help="The person's name."),
    role: str = typer.Option(..., help=f"One of {', '.join(ROLES)}."),
    skills: str = typer.Option("", help="Sectors, comma-separated (caseworkers)."),
    account_id: str | None = typer.Option(None, "--id", help="A roster member's id."),
    password_stdin: bool = typer.Option(False, help="Read the password from stdin."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Add a staff account; without --password-stdin a password is generated and shown once."""
    argv = ["add", "--email", email, "--name", name, "--role", role, "--skills", skills]
    argv += ["--id", account_id] if account_id else []
    argv += ["--password-stdin"] if password_stdin else []
    _staff(argv, database_url)


@staff_app.command("disable")
def staff_disable(
    email: str = typer.Option(..., help="The account's email."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Deactivate an account and end its sessions."""
    _staff(["disable", "--email", email], database_url)
