"""staff accounts (the roster folded in), sessions, saved views, template responses, and the
work-list columns on cases (search digests, work deadline, paused, themes), backfilled

Revision ID: d2b7e4f1a9c3
Revises: c1a84c9cd4b5
Create Date: 2026-12-02 16:40:00.000000
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import shared.db
from services.casework.domain import Case, work_deadline
from services.casework.store import complainant_digests
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_LOOKUP_KEY, Cipher

revision: str = "d2b7e4f1a9c3"
down_revision: str | None = "c1a84c9cd4b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Cases read per pass of the backfill, so a large database is not loaded into memory at once.
BACKFILL_BATCH = 500


def upgrade() -> None:
    _create_staff_tables()
    _fold_roster_into_accounts()
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("work_deadline_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("work_deadline_kind", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("complainant_name_digest", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("complainant_email_digest", sa.String(length=64), nullable=True)
        )
        batch.create_index("ix_cases_work_deadline_on", ["work_deadline_on"])
        batch.create_index("ix_cases_paused", ["paused"])
        batch.create_index("ix_cases_organisation_name", ["organisation_name"])
        batch.create_index("ix_cases_complainant_name_digest", ["complainant_name_digest"])
        batch.create_index("ix_cases_complainant_email_digest", ["complainant_email_digest"])
    op.create_table(
        "case_themes",
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("reference", "theme"),
    )
    op.create_index("ix_case_themes_theme", "case_themes", ["theme"])
    _backfill_cases()


def _create_staff_tables() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_confirmed_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_staff_accounts_role", "staff_accounts", ["role"])
    op.create_table(
        "staff_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("awaiting_second_factor", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["staff_accounts.account_id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_hash"),
    )
    op.create_index("ix_staff_sessions_account_id", "staff_sessions", ["account_id"])
    op.create_index("ix_staff_sessions_last_seen_at", "staff_sessions", ["last_seen_at"])
    op.create_table(
        "saved_views",
        sa.Column("view_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("view_id"),
    )
    op.create_index("ix_saved_views_account_id", "saved_views", ["account_id"])
    op.create_table(
        "response_templates",
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("template_id"),
    )


def _fold_roster_into_accounts() -> None:
    """Every roster row becomes a caseworker account (no email, so no sign-in until given one)."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    old = sa.table(
        "caseworkers",
        sa.column("caseworker_id"),
        sa.column("name"),
        sa.column("sectors", sa.JSON()),
        sa.column("active"),
    )
    accounts = sa.table(
        "staff_accounts",
        sa.column("account_id"),
        sa.column("name"),
        sa.column("role"),
        sa.column("skills", sa.JSON()),
        sa.column("active"),
        sa.column("failed_attempts"),
        sa.column("created_at", shared.db.UtcDateTime(timezone=True)),
    )
    for row in bind.execute(sa.select(old)).all():
        bind.execute(
            accounts.insert().values(
                account_id=row.caseworker_id,
                name=row.name,
                role="caseworker",
                skills=row.sectors,
                active=bool(row.active),
                failed_attempts=0,
                created_at=now,
            )
        )
    op.drop_table("caseworkers")


def _backfill_cases() -> None:
    """Digests from the encrypted complaint, and the work-list columns from the document."""
    bind = op.get_bind()
    keys = os.environ.get("REDRESS_ENCRYPTION_KEYS") or DEVELOPMENT_ENCRYPTION_KEY
    lookup_key = os.environ.get("REDRESS_LOOKUP_KEY") or DEVELOPMENT_LOOKUP_KEY
    cipher = Cipher(keys, lookup_key)
    cases = sa.table(
        "cases",
        sa.column("reference"),
        sa.column("document", sa.JSON()),
        sa.column("complaint", sa.LargeBinary()),
        sa.column("work_deadline_on", sa.Date()),
        sa.column("work_deadline_kind"),
        sa.column("paused", sa.Boolean()),
        sa.column("complainant_name_digest"),
        sa.column("complainant_email_digest"),
    )
    themes = sa.table("case_themes", sa.column("reference"), sa.column("theme"))
    after = ""
    while True:
        rows = bind.execute(
            sa.select(cases.c.reference, cases.c.document, cases.c.complaint)
            .where(cases.c.reference > after)
            .order_by(cases.c.reference)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            case = Case.model_validate(row.document)
            work = work_deadline(case)
            digests = (
                complainant_digests(cipher, cipher.decrypt_json(row.complaint))
                if row.complaint
                else {}
            )
            bind.execute(
                cases.update()
                .where(cases.c.reference == row.reference)
                .values(
                    work_deadline_on=work.due_by if work else None,
                    work_deadline_kind=work.kind.value if work else None,
                    paused=case.is_paused,
                    **digests,
                )
            )
            for theme in sorted(set(case.themes)):
                bind.execute(themes.insert().values(reference=row.reference, theme=theme))
        after = rows[-1].reference


def downgrade() -> None:
    raise NotImplementedError("staff accounts cannot be folded back into the old roster")
