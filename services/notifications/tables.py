"""Notifications' tables: contacts, case closures, messages, the suppression list, outbox, inbox.

Everything personal is encrypted at rest (shared.crypto.Cipher) by the stores that write these
tables (store.py, contact_store.py); the suppression list keeps only keyed digests of addresses.
The sender instances' heartbeat table is instance_store.py's.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, LargeBinary, String, Table

from services.notifications.domain.records import FAILURE_REASON_LENGTH
from shared.db import UtcDateTime
from shared.kit.tables import service_tables
from shared.tracing import TRACEPARENT_LENGTH, current_traceparent

metadata, outbox, inbox = service_tables()

REFERENCE_LENGTH = 64
INSTANCE_ID_LENGTH = 36  # a UUID
LETTER = "letter"

contacts = Table(
    "contacts",
    metadata,
    Column("reference", String(REFERENCE_LENGTH), primary_key=True),
    # name, email, phone, address, preferred_contact, reasonable_adjustments, language,
    # tracking_token: one encrypted JSON document.
    Column("personal_data", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# When each case first closed: the contact is deleted a retention period after it. A table of
# its own, because the closure may be seen before the complaint that brings the contact.
case_closures = Table(
    "case_closures",
    metadata,
    Column("reference", String(REFERENCE_LENGTH), primary_key=True),
    Column("closed_at", UtcDateTime(), nullable=False, index=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(36), primary_key=True),
    # event id (or request id) + template + recipient role [+ fallback channel]: a redelivered
    # event, or a second instance handling it, cannot add a second row.
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("request_id", String(100), nullable=False),
    Column("reference", String(REFERENCE_LENGTH), nullable=False, index=True),
    Column("template", String(64), nullable=False),
    Column("template_version", Integer, nullable=False),
    # Chosen when the message is first claimed (the contact may not be known before).
    Column("channel", String(8), nullable=True),
    Column("status", String(24), nullable=False),
    Column("large_print", Boolean, nullable=False, default=False),
    Column("personalisation", LargeBinary, nullable=True),
    Column("rendered", LargeBinary, nullable=True),
    Column("recipient", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("send_after", UtcDateTime(), nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("failure_reason", String(FAILURE_REASON_LENGTH), nullable=True),
    Column("provider_message_id", String(255), nullable=True, index=True),
    Column("fragments", Integer, nullable=True),
    Column("redacted_at", UtcDateTime(), nullable=True),
    # Letters: rendered and waiting in the print queue for staff (status stays `created` until
    # staff fetch the queue, then `sending` until they confirm it was posted).
    Column("queued_for_print_at", UtcDateTime(), nullable=True),
    # The sender instance holding the current claim (instances.py): a dead one's is recovered.
    Column("claimed_by", String(INSTANCE_ID_LENGTH), nullable=True),
    # The trace of the event that asked for it (the consumer's span, current at the INSERT).
    Column("traceparent", String(TRACEPARENT_LENGTH), nullable=True, default=current_traceparent),
    Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("address_digest", String(64), primary_key=True),
    Column("channel", String(8), nullable=False),
    Column("reason", String(FAILURE_REASON_LENGTH), nullable=False),
    Column("suppressed_at", UtcDateTime(), nullable=False),
)
