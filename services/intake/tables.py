"""Intake's tables: complaints (personal data encrypted), outbox, inbox, and the email channel's
incomplete complaints (the enquiries of the needs-a-person queue), the mails it has handled, and the
documents that came with complaints."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, LargeBinary, String, Table

from shared.db import UtcDateTime
from shared.kit.tables import service_tables

metadata, outbox, inbox = service_tables()

complaints = Table(
    "complaints",
    metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("organisation_key", String(200), nullable=False, index=True),
    Column("sector", String(20), nullable=False),
    # Everything that identifies the complainant, as one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=True),
    # Keyed digests, so duplicates can be found without decrypting every complaint.
    Column("email_digest", String(64), nullable=True, index=True),
    Column("phone_digest", String(64), nullable=True, index=True),
    Column("name_digest", String(64), nullable=True, index=True),
    Column("duplicate_of", String(32), nullable=True),
    Column("idempotency_key", String(200), nullable=True, unique=True),
    Column("request_fingerprint", String(64), nullable=True),
    # The 201 answer (it holds the tracking token), encrypted, replayed for a repeated key.
    Column("response", LargeBinary, nullable=True),
    Column("eligibility", JSON, nullable=False),
    Column("case_closed_at", UtcDateTime(), nullable=True),
    Column("anonymised_at", UtcDateTime(), nullable=True),
)

# Mails to the complaints address that lacked facts we need: kept (encrypted) while we ask the
# sender for them by email. Completed ones drop their personal data: it then lives in complaints.
incomplete_email_complaints = Table(
    "incomplete_email_complaints",
    metadata,
    Column("enquiry_reference", String(16), primary_key=True),
    # message_key of the first mail; also the Idempotency-Key of the complaint it becomes.
    Column("source_message_key", String(100), nullable=False, unique=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False, index=True),
    # Keyed digest of the sender's address: a reply completes the enquiry only from them.
    Column("sender_digest", String(64), nullable=True),
    # The sender, the subject and what the mails told us, as one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=True),
    Column("reply_pending", Boolean, nullable=False, default=False),
    Column("replies_sent", Integer, nullable=False, default=0),
    Column("completed_reference", String(32), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),
    # The needs-a-person queue (docs/design.md section 8): who registered it (a staff id, absent
    # when the complainant's reply completed it), or who closed it and why.
    Column("completed_by", String(64), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("closed_reason", String(32), nullable=True),
    Column("closed_by", String(64), nullable=True),
)

# Every mail the listener has acted on, by keyed digest of its message key (no personal data),
# so a re-delivered mail is recognised and never acted on twice.
handled_emails = Table(
    "handled_emails",
    metadata,
    Column("message_digest", String(64), primary_key=True),
    Column("handled_at", UtcDateTime(), nullable=False),
    Column("enquiry_reference", String(16), nullable=True),
)

# The directory of organisations in jurisdiction (shared/directory): seeded from the repository's
# file at start-up (missing ids only, so an admin's correction stays), managed by admins.
# Official names only, never anything a complainant typed.
organisations = Table(
    "organisations",
    metadata,
    Column("organisation_id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("sector", String(20), nullable=False),
    Column("nation", String(20), nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=True),
    # The staff id of the admin or manager who last changed it (absent: from the seed file).
    Column("updated_by", String(64), nullable=True),
)

# Documents that came with a complaint (issue 16): the web form's files and emailed attachments.
# The sealed bytes live in the document store (shared/documents) under a random object key; the
# row holds the data key wrapped by intake's keys, never beside the blob. A refused attachment is
# a row too (`refused_reason`, no blob), so the caseworker knows something was sent.
documents = Table(
    "documents",
    metadata,
    Column("document_id", String(36), primary_key=True),
    # The complaint it belongs to; absent while an emailed complaint is still an enquiry.
    Column("complaint_reference", String(32), nullable=True, index=True),
    Column("enquiry_reference", String(16), nullable=True, index=True),
    Column("object_key", String(64), nullable=True),
    Column("wrapped_key", LargeBinary, nullable=True),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("kind", String(32), nullable=True),
    Column("media_type", String(100), nullable=True),
    # The sanitised file name (shared.documents.names), encrypted like other personal data.
    Column("display_name", LargeBinary, nullable=True),
    Column("added_by", String(16), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("refused_reason", String(32), nullable=True),
    Column("removed_at", UtcDateTime(), nullable=True),
)
