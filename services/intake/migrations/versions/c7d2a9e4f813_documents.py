"""documents: files that came with complaints, by the web form or email (issue 16)

Revision ID: c7d2a9e4f813
Revises: b3d9e1f07a42
Create Date: 2026-12-04 19:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "c7d2a9e4f813"
down_revision: str | None = "b3d9e1f07a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("complaint_reference", sa.String(length=32), nullable=True),
        sa.Column("enquiry_reference", sa.String(length=16), nullable=True),
        sa.Column("object_key", sa.String(length=64), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("display_name", sa.LargeBinary(), nullable=True),
        sa.Column("added_by", sa.String(length=16), nullable=False),
        sa.Column("added_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("refused_reason", sa.String(length=32), nullable=True),
        sa.Column("removed_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index(
        "ix_documents_complaint_reference", "documents", ["complaint_reference"], unique=False
    )
    op.create_index(
        "ix_documents_enquiry_reference", "documents", ["enquiry_reference"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_documents_enquiry_reference", table_name="documents")
    op.drop_index("ix_documents_complaint_reference", table_name="documents")
    op.drop_table("documents")
