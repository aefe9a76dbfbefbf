"""Staff accounts from the command line, for an administrator (design section 8):

    python -m services.casework.staff add --email a@example.org --name "A Person" --role manager
    python -m services.casework.staff add --email b@example.org --name "Sam Patel" \
        --role caseworker --skills health,other --id cw-1     # give a roster member a sign-in
    python -m services.casework.staff disable --email a@example.org
    python -m services.casework.staff reset-password --email a@example.org --password-stdin
    python -m services.casework.staff list

The password is read from standard input (`--password-stdin`) or, when not given, generated and
printed once. Uses the casework database of CASEWORK_DATABASE_URL, upgraded first.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from datetime import timedelta
from pathlib import Path

from services.casework.settings import CaseworkSettings
from services.casework.staff.accounts import ROLES, AccountError, Policy, StaffAccounts
from services.casework.store import metadata
from services.casework.stores import casework_stores
from shared.db import Database
from shared.events import Sector
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Messaging
from shared.migrations import upgrade_to_head
from shared.timekeeping import utc_now

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
GENERATED_PASSWORD_BYTES = 15


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.casework.staff")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a staff account")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--skills", default="", help="sectors, comma-separated (caseworkers)")
    add.add_argument("--id", dest="account_id", help="a roster member's id to give a sign-in")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    disable = commands.add_parser("disable", help="deactivate an account and end its sessions")
    disable.add_argument("--email", required=True)
    reset = commands.add_parser(
        "reset-password", help="set a new password and end the account's sessions"
    )
    reset.add_argument("--email", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    commands.add_parser("list", help="list the accounts")
    return parser


def _skills(text: str) -> list[str]:
    skills = [s.strip() for s in text.split(",") if s.strip()]
    known = {s.value for s in Sector}
    unknown = [s for s in skills if s not in known]
    if unknown:
        raise AccountError(f"unknown sectors {unknown}; known: {sorted(known)}")
    return skills


def accounts_on(db: Database, settings: CaseworkSettings, policy: Policy) -> StaffAccounts:
    """The staff accounts on `db`, outside the running service (this command line, tests)."""
    cipher = settings.cipher()
    # Nothing about accounts emits an event: the messaging is only the unit of work's outbox.
    uow = SqlUnitOfWork(db, Messaging("casework", settings, db, metadata), casework_stores(cipher))
    return StaffAccounts(uow, cipher, policy)


async def _run(arguments: argparse.Namespace, settings: CaseworkSettings) -> int:
    db = Database(settings.database_url)
    policy = Policy(timedelta(0), timedelta(0), settings.staff_lockout_attempts, timedelta(0))
    accounts = accounts_on(db, settings, policy)
    now = utc_now()
    try:
        if arguments.command == "add":
            generated = not arguments.password_stdin
            password = (
                secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
                if generated
                else sys.stdin.readline().rstrip("\n")
            )
            account_id = await accounts.add(
                email=arguments.email,
                name=arguments.name,
                role=arguments.role,
                skills=_skills(arguments.skills),
                password=password,
                now=now,
                account_id=arguments.account_id,
            )
            print(f"added {account_id} {arguments.email} ({arguments.role})")
            if generated:
                print(f"password (shown once): {password}")
        elif arguments.command == "reset-password":
            await _reset_password(accounts, arguments)
        elif arguments.command == "disable":
            async with accounts.uow.reading() as stores:
                account = await stores.staff.account_by_email(arguments.email)
            if account is None:
                raise AccountError(f"no account with the email {arguments.email}")
            await accounts.set_active(account["account_id"], False)
            print(f"disabled {account['account_id']}")
        else:
            async with accounts.uow.reading() as stores:
                for account in await stores.staff.accounts():
                    state = "active" if account["active"] else "inactive"
                    print(
                        f"{account['account_id']}\t{account['email'] or '-'}\t"
                        f"{account['role']}\t{state}\t{account['name']}"
                    )
        return 0
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()


async def _reset_password(accounts: StaffAccounts, arguments: argparse.Namespace) -> None:
    """A new password (read from stdin, or generated and shown once); every session of the
    account ends, so whoever knew the old password is signed out."""
    async with accounts.uow.reading() as stores:
        account = await stores.staff.account_by_email(arguments.email)
    if account is None:
        raise AccountError(f"no account with the email {arguments.email}")
    generated = not arguments.password_stdin
    password = (
        secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
        if generated
        else sys.stdin.readline().rstrip("\n")
    )
    if not password:
        raise AccountError("the new password is empty")
    await accounts.set_password(account["account_id"], password)
    print(f"reset the password of {account['account_id']}; its sessions have ended")
    if generated:
        print(f"password (shown once): {password}")


def run(argv: list[str], settings: CaseworkSettings | None = None) -> int:
    """The command line with these arguments (the operator CLI's `redress staff` calls this);
    returns the exit status."""
    arguments = _parser().parse_args(argv)
    settings = settings or CaseworkSettings()
    upgrade_to_head(settings.database_url, MIGRATIONS)
    return asyncio.run(_run(arguments, settings))


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
