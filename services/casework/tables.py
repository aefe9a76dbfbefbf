"""Casework's own database tables: cases (a JSON document per case plus the columns the work
lists filter and sort on), the complaint as received (encrypted), messages, staff accounts (who is
the roster), their sessions, saved views and template responses, plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.db import UtcDateTime
from shared.inbox import inbox_table
from shared.outbox import outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# SHA-256 hex digests (tracking tokens, session ids) and keyed lookup digests (shared/crypto.py).
DIGEST_LENGTH = 64

cases = Table(
    "cases",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("stage", String(20), nullable=False, index=True),
    Column("organisation_name", String(200), nullable=False, index=True),
    Column("sector", String(20), nullable=False, index=True),
    Column("caseworker_id", String(64), nullable=True, index=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    # The earliest open deadline: the scheduler looks only at cases whose day has come.
    Column("next_deadline_on", Date, nullable=True, index=True),
    # The earliest deadline someone still has to act on (open, or missed and still owed): the
    # work lists sort and filter on it (domain.worklist.work_deadline).
    Column("work_deadline_on", Date, nullable=True, index=True),
    Column("work_deadline_kind", String(40), nullable=True),
    Column("paused", Boolean, nullable=False, default=False, index=True),
    Column("document", JSON, nullable=False),
    # Optimistic concurrency: every save checks and bumps it, so two instances (or two clicks)
    # never both apply a change or both report a missed deadline.
    Column("version", Integer, nullable=False),
    Column("tracking_token_hash", String(DIGEST_LENGTH), nullable=False),
    # The complaint as intake received it (personal data), encrypted.
    Column("complaint", LargeBinary, nullable=True),
    # Keyed digests of the complainant's name and email for staff search: no plain-text index of
    # personal data (shared/crypto.py Cipher.lookup_digest).
    Column("complainant_name_digest", String(DIGEST_LENGTH), nullable=True, index=True),
    Column("complainant_email_digest", String(DIGEST_LENGTH), nullable=True, index=True),
    # "My cases", soonest deadline first: one index walk, not a sort of everyone's cases.
    Index("ix_cases_caseworker_work_deadline", "caseworker_id", "work_deadline_on"),
)

# The themes a case is tagged with, one row each, so "theme" filters use an index rather than
# scanning case documents.
case_themes = Table(
    "case_themes",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("theme", String(100), primary_key=True),
    Index("ix_case_themes_theme", "theme"),
)

case_messages = Table(
    "case_messages",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, index=True),
    Column("direction", String(20), nullable=False),
    Column("author", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# The complainant's comments on the draft decision (issue 14 part 1), kept beside the draft for
# the caseworker; encrypted like messages, as they are free text that may name people.
draft_comments = Table(
    "draft_comments",
    metadata,
    Column("comment_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, index=True),
    Column("body", LargeBinary, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# Documents on a case (issue 16): the row holds what reads the sealed blob back (object key and
# wrapped data key, shared/documents/vault.py); the name and description are personal data and
# encrypted like messages. `removed_at` is set when a document is taken off the case.
documents = Table(
    "documents",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, index=True),
    Column("object_key", String(64), nullable=False, unique=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(DIGEST_LENGTH), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("display_name", LargeBinary, nullable=False),
    Column("description", LargeBinary, nullable=True),
    Column("added_by", String(20), nullable=False),
    Column("added_by_staff_id", String(64), nullable=True),
    Column("shared_with_complainant", Boolean, nullable=False),
    Column("evidence_request_id", String(64), nullable=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("removed_at", UtcDateTime(), nullable=True),
)

# Everyone who works here. Caseworkers are the roster (cases are assigned among the active ones
# whose skills cover the sector); a roster member without an email cannot sign in yet.
staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("email", String(320), nullable=True, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False, index=True),
    Column("skills", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # argon2id (argon2-cffi); None: no password sign-in (OIDC only, or not yet set).
    Column("password_hash", String(200), nullable=True),
    # The TOTP secret, encrypted; only used once `totp_confirmed_at` says enrolment finished.
    Column("totp_secret", LargeBinary, nullable=True),
    Column("totp_confirmed_at", UtcDateTime(), nullable=True),
    # The TOTP time step of the last code accepted: a code is accepted once only (RFC 6238 5.2).
    Column("totp_last_step", Integer, nullable=True),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("last_sign_in_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Server-side sessions: the cookie holds a random id, the table only its SHA-256.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("session_hash", String(DIGEST_LENGTH), primary_key=True),
    Column(
        "account_id",
        String(64),
        ForeignKey("staff_accounts.account_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    # True between a right password and the second factor: such a session opens no page.
    Column("awaiting_second_factor", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False, index=True),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("view_id", String(36), primary_key=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("filters", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

response_templates = Table(
    "response_templates",
    metadata,
    Column("template_id", String(36), primary_key=True),
    # "message" starts a message to the complainant; "decision" starts a decision's summary.
    Column("kind", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Who looked at a case (issue 14 part 4): one row per staff read, append-only (the migration adds
# triggers refusing UPDATE, and DELETE while the case exists), each row's SHA-256 chained on the
# case's previous row (services/casework/domain/journal.py). No complainant data in it.
access_journal = Table(
    "access_journal",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("route", String(200), nullable=False),
    Column("seen", JSON, nullable=False),
    Column("prev_hash", String(DIGEST_LENGTH), nullable=False),
    Column("entry_hash", String(DIGEST_LENGTH), nullable=False),
    # One chain per case: two readers racing for the same place make one retry, never a fork.
    UniqueConstraint("reference", "seq", name="uq_access_journal_reference_seq"),
)
