"""webhook endpoints and their delivery log

Revision ID: e5c1f0a7d3b2
Revises: b7e3a1c94d20
Create Date: 2026-12-04 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db


revision: str = 'e5c1f0a7d3b2'
down_revision: str | None = 'b7e3a1c94d20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('secret', sa.LargeBinary(), nullable=False),
    sa.Column('enabled', sa.Integer(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('webhook_deliveries',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('endpoint_id', sa.String(length=36), nullable=False),
    sa.Column('message_id', sa.String(length=100), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_response_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('replay_of', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('dedupe_key'),
    sa.UniqueConstraint('id')
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_endpoint_reference', ['endpoint_id', 'reference', 'seq'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_status_next_attempt', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_status_next_attempt')
        batch_op.drop_index('ix_webhook_deliveries_endpoint_reference')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_endpoints')
