"""The work lists' queries use indexes (issue 10: no scans of case documents, a million cases):
SQLite's query plan for each common list shows an index search on `cases`, never a full scan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.casework.case_queries import WorkListFilter, list_query
from shared.migrations import upgrade_to_head

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "casework" / "migrations"
TODAY, SOON = date(2026, 12, 2), date(2026, 12, 9)


@pytest.mark.parametrize(
    ("wanted", "sort"),
    [
        (WorkListFilter(caseworker_id="cw-1"), "deadline"),
        (WorkListFilter(caseworker_id="cw-1", deadline="overdue"), "deadline"),
        (WorkListFilter(stage="investigation"), "deadline"),
        (WorkListFilter(deadline="due_soon"), "deadline"),
        (WorkListFilter(reference="RDR-2026-ABCDEF"), "deadline"),
        (WorkListFilter(name_digests=("a" * 64,), email_digests=("b" * 64,)), "deadline"),
        (WorkListFilter(theme="delay"), "deadline"),
        (WorkListFilter(organisation="Northshire NHS Trust"), "deadline"),
        (WorkListFilter(sector="health", paused=True), "deadline"),
    ],
)
def test_each_list_searches_an_index(tmp_path: Path, wanted: WorkListFilter, sort: str) -> None:
    path = tmp_path / "casework.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}", MIGRATIONS)
    engine = sa.create_engine(f"sqlite:///{path}")
    query = list_query(wanted, today=TODAY, soon=SOON, sort=sort)  # type: ignore[arg-type]
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    engine.dispose()
    on_cases = [step for step in plan if " cases" in f" {step}" and "case_themes" not in step]
    assert on_cases, plan
    assert all("USING" in step for step in on_cases), f"a full scan of cases: {plan}"
