"""draft comments: the complainant's comments on the draft decision, for the caseworker

Revision ID: b4e8d2f6a1c7
Revises: 7a1c3e5b9d20
Create Date: 2026-12-04 02:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "b4e8d2f6a1c7"
down_revision: str | None = "7a1c3e5b9d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_comments",
        sa.Column("comment_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("comment_id"),
    )
    with op.batch_alter_table("draft_comments") as batch:
        batch.create_index(batch.f("ix_draft_comments_reference"), ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_comments") as batch:
        batch.drop_index(batch.f("ix_draft_comments_reference"))
    op.drop_table("draft_comments")
