"""messages.traceparent: the trace of the event that asked for a message, for its later send

Revision ID: b7e3a1c94d20
Revises: 7022c5e81527
Create Date: 2026-12-04 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b7e3a1c94d20'
down_revision: str | None = '7022c5e81527'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # W3C traceparent, version 00: 55 characters (shared/tracing.py TRACEPARENT_LENGTH).
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('traceparent', sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('traceparent')
