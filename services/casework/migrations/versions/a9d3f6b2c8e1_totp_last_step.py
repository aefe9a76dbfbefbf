"""staff accounts: the TOTP step last accepted, so a code is accepted once only

Revision ID: a9d3f6b2c8e1
Revises: e3c9a1b7d4f2
Create Date: 2026-12-03 11:58:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9d3f6b2c8e1"
down_revision: str | None = "e3c9a1b7d4f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("staff_accounts", sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("totp_last_step")
