"""documents: the files on a case (issue 16), sealed in the document store, named here

Revision ID: f6b2d9c4e1a8
Revises: b4e8d2f6a1c7
Create Date: 2026-12-04 19:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "f6b2d9c4e1a8"
down_revision: str | None = "b4e8d2f6a1c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("object_key", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.Column("added_by", sa.String(length=20), nullable=False),
        sa.Column("added_by_staff_id", sa.String(length=64), nullable=True),
        sa.Column("shared_with_complainant", sa.Boolean(), nullable=False),
        sa.Column("evidence_request_id", sa.String(length=64), nullable=True),
        sa.Column("added_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("document_id"),
        sa.UniqueConstraint("object_key"),
    )
    with op.batch_alter_table("documents") as batch:
        batch.create_index(batch.f("ix_documents_reference"), ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(batch.f("ix_documents_reference"))
    op.drop_table("documents")
