"""The roster at start-up: seeded once from CASEWORK_INITIAL_ROSTER, and in development the two
accounts `make run` signs in with (design section 8)."""

from __future__ import annotations

import secrets
import sys
from datetime import datetime

from services.casework.staff.accounts import StaffAccounts

DEV_CASEWORKER_EMAIL = "caseworker@redress.localhost"
DEV_MANAGER_EMAIL = "manager@redress.localhost"
# The roster member the development caseworker signs in as (the first of the initial roster).
DEV_CASEWORKER_ID = "cw-1"
DEV_CASEWORKER_NAME = "Sam Patel"
DEV_MANAGER_ID = "manager-1"
DEV_MANAGER_NAME = "Morgan Manager"
ALL_SECTORS = ["health", "parliamentary", "other"]
# A random development password: 16 URL-safe characters, easy to copy from the terminal.
DEV_PASSWORD_BYTES = 12


def parse_roster(text: str) -> list[tuple[str, str, list[str]]]:
    """`id:name:sector+sector` entries separated by commas."""
    entries = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        caseworker_id, name, sectors = item.split(":")
        entries.append((caseworker_id, name, sectors.split("+")))
    return entries


async def seed_roster(accounts: StaffAccounts, initial_roster: str, now: datetime) -> None:
    async with accounts.uow.transaction() as work:
        store = work.stores.cases
        if await store.roster_is_empty():
            for caseworker_id, name, sectors in parse_roster(initial_roster):
                await store.put_caseworker(caseworker_id, name, sectors, True, now)


async def ensure_development_accounts(
    accounts: StaffAccounts, password: str | None, now: datetime
) -> str:
    """Create (or re-key) the two development accounts; returns the password they now have."""
    password = password or secrets.token_urlsafe(DEV_PASSWORD_BYTES)
    wanted = (
        (DEV_CASEWORKER_EMAIL, DEV_CASEWORKER_ID, DEV_CASEWORKER_NAME, "caseworker"),
        (DEV_MANAGER_EMAIL, DEV_MANAGER_ID, DEV_MANAGER_NAME, "manager"),
    )
    for email, account_id, name, role in wanted:
        async with accounts.uow.reading() as stores:
            existing = await stores.staff.account_by_email(email)
        if existing is None:
            await accounts.add(
                email=email,
                name=name,
                role=role,
                skills=ALL_SECTORS,
                password=password,
                now=now,
                account_id=account_id,
            )
        else:
            await accounts.set_password(existing["account_id"], password)
    # Printed for the person running `make run`, never logged (the logs are structured JSON
    # that may be shipped elsewhere).
    print(
        f"Staff console: sign in at /staff/sign-in as {DEV_CASEWORKER_EMAIL} or "
        f"{DEV_MANAGER_EMAIL} with the password {password}",
        file=sys.stderr,
        flush=True,
    )
    return password
