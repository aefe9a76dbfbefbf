"""enquiries: the needs-a-person queue (who registered or closed an enquiry, and why)

Revision ID: f4a7c2e9b1d6
Revises: 68c432caeafb
Create Date: 2026-12-03 10:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "f4a7c2e9b1d6"
down_revision: str | None = "68c432caeafb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "incomplete_email_complaints"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("completed_by", sa.String(length=64), nullable=True))
    op.add_column(
        TABLE, sa.Column("closed_at", shared.db.UtcDateTime(timezone=True), nullable=True)
    )
    op.add_column(TABLE, sa.Column("closed_reason", sa.String(length=32), nullable=True))
    op.add_column(TABLE, sa.Column("closed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("closed_by")
        batch.drop_column("closed_reason")
        batch.drop_column("closed_at")
        batch.drop_column("completed_by")
