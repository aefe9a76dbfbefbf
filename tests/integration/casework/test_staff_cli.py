"""The administrators' command line (`python -m services.casework.staff`) on a real SQLite file:
a password reset sets the new password and ends every session of the account."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.casework.settings import CaseworkSettings
from services.casework.staff import Policy
from services.casework.staff.__main__ import accounts_on
from shared.db import Database

pytestmark = pytest.mark.integration

EMAIL = "reset.me@staff.redress.test"


def cli(url: str, *arguments: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.casework.staff", *arguments, "--password-stdin"],
        input=password + "\n",
        env={**os.environ, "CASEWORK_DATABASE_URL": url, "REDRESS_ENVIRONMENT": "test"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_a_password_reset_sets_the_new_one_and_ends_every_session(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}"
    added = cli(
        url,
        "add",
        "--email",
        EMAIL,
        "--name",
        "Reset Me",
        "--role",
        "manager",
        password="the old password is long",
    )
    assert added.returncode == 0, added.stderr
    settings = CaseworkSettings(database_url=url, environment="test")
    db = Database(url)
    policy = Policy(timedelta(minutes=30), timedelta(hours=12), 10, timedelta(minutes=15))
    accounts = accounts_on(db, settings, policy)
    now = datetime.now(UTC)
    try:
        signed_in = await accounts.sign_in(EMAIL, "the old password is long", now)
        assert signed_in.session is not None
        assert signed_in.session.new_id is not None
        reset = cli(url, "reset-password", "--email", EMAIL, password="a brand new passphrase")
        assert reset.returncode == 0, reset.stderr
        assert "a brand new passphrase" not in reset.stdout  # read from stdin, never echoed
        assert await accounts.current(signed_in.session.new_id, now) is None
        assert (await accounts.sign_in(EMAIL, "the old password is long", now)).session is None
        fresh = await accounts.sign_in(EMAIL, "a brand new passphrase", now)
        assert fresh.session is not None
        unknown = cli(url, "reset-password", "--email", "nobody@x.test", password="whatever it is")
        assert unknown.returncode == 2
    finally:
        await db.dispose()
