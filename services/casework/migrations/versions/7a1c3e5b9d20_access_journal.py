"""The access journal: who looked at a case, append-only and hash-chained (issue 14 part 4)

Revision ID: 7a1c3e5b9d20
Revises: a9d3f6b2c8e1
Create Date: 2026-12-03 12:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a1c3e5b9d20"
down_revision: str | None = "a9d3f6b2c8e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Append-only in the database itself, not only in the code: an UPDATE is always refused, and a
# DELETE is refused while the case exists (the journal is kept as long as the case, and removed
# with it).
POSTGRES_GUARD = """
CREATE FUNCTION access_journal_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (
        SELECT 1 FROM cases WHERE cases.reference = OLD.reference
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access_journal is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER access_journal_append_only BEFORE UPDATE OR DELETE ON access_journal
FOR EACH ROW EXECUTE FUNCTION access_journal_append_only()
"""
SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER access_journal_no_update BEFORE UPDATE ON access_journal
    BEGIN SELECT RAISE(ABORT, 'access_journal is append-only (UPDATE refused)'); END
    """,
    """
    CREATE TRIGGER access_journal_no_delete BEFORE DELETE ON access_journal
    WHEN EXISTS (SELECT 1 FROM cases WHERE cases.reference = OLD.reference)
    BEGIN SELECT RAISE(ABORT, 'access_journal is append-only (DELETE refused)'); END
    """,
)


def upgrade() -> None:
    op.create_table(
        "access_journal",
        sa.Column("entry_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("reference", "seq", name="uq_access_journal_reference_seq"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_GUARD)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_journal_append_only ON access_journal")
        op.execute("DROP FUNCTION IF EXISTS access_journal_append_only()")
    op.drop_table("access_journal")
