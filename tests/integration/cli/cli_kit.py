"""Driving `redress` as an operator would: typer's CliRunner, in a thread (each command runs its
own event loop, which cannot nest in the test's)."""

from __future__ import annotations

import asyncio
import re

from typer.testing import CliRunner, Result

from redress_cli.main import app

# Wide enough that rich never folds a table cell the assertions read.
TERMINAL_COLUMNS = "400"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    runner = CliRunner()
    environment = {"COLUMNS": TERMINAL_COLUMNS, "NO_COLOR": "1", **(env or {})}
    return runner.invoke(app, list(args), env=environment, input=stdin)


async def redress(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> Result:
    return await asyncio.to_thread(invoke, *args, env=env, stdin=stdin)


def text(result: Result) -> str:
    return ANSI.sub("", result.output)
