"""The smaller figures of `make bench`: each service's idle RSS, the reports rebuild from the
topics, and the machine the run was on."""

from __future__ import annotations

import asyncio
import io
import os
import platform
import time
from pathlib import Path
from typing import Any

from bench.shape import rebuild_figures, rss_mb
from services.reports.rebuild import MIGRATIONS_DIR, rebuild
from services.reports.settings import ReportsSettings
from shared.migrations import upgrade_to_head
from tests.e2e.suite import Suite


def rss_idle_mb(suite: Suite) -> dict[str, float | None]:
    """VmRSS of each service's first instance, read now (call it once the suite is ready and
    idle)."""
    figures: dict[str, float | None] = {}
    for name in suite.service_processes:
        status = Path(f"/proc/{suite.processes[name].pid}/status")
        figures[name] = rss_mb(status.read_text()) if status.exists() else None
    return figures


async def rebuild_reports(bootstrap: str, database_url: str) -> dict[str, Any]:
    """`services/reports/rebuild.py` over whatever the topics hold now, into a fresh database
    migrated beforehand (so the timing is the replay, not the migration)."""
    await asyncio.to_thread(upgrade_to_head, database_url, MIGRATIONS_DIR)
    # The service reads its settings from the environment, as `python -m` would give them.
    os.environ.update(
        {
            "REPORTS_DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REDRESS_ENVIRONMENT": "test",
        }
    )
    began = time.monotonic()
    result = await rebuild(ReportsSettings(), out=io.StringIO())
    return rebuild_figures(result.read, result.applied, time.monotonic() - began)


def machine(database: str) -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": database,
        "platform": platform.platform(),
        # The load when the run started: other work on the machine slows every figure.
        "load_average_1_5_15": [round(value, 2) for value in load],
    }
