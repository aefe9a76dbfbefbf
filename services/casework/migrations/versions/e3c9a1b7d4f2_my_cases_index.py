"""My cases: a (caseworker, work deadline) index, so a caseworker's list sorted by deadline is
one index walk (issue 10)

Revision ID: e3c9a1b7d4f2
Revises: d2b7e4f1a9c3
Create Date: 2026-12-02 17:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e3c9a1b7d4f2"
down_revision: str | None = "d2b7e4f1a9c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_caseworker_work_deadline", "cases", ["caseworker_id", "work_deadline_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_cases_caseworker_work_deadline", table_name="cases")
