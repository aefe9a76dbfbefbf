"""Webhook tables, on notifications' metadata (migration e5c1f0a7d3b2).

Signing secrets are encrypted at rest (shared.crypto.Cipher). Bodies are kept in clear: they are
public case events, personal-data free by contract (docs/design.md §4).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, String, Table, Text

from services.notifications.domain.records import FAILURE_REASON_LENGTH
from services.notifications.domain.webhooks import DESCRIPTION_MAX_LENGTH, URL_MAX_LENGTH
from services.notifications.tables import REFERENCE_LENGTH, metadata
from shared.db import UtcDateTime

UUID_LENGTH = 36
EVENT_TYPE_LENGTH = 100
# An event id (a UUID) or `disabled-<UUID>`, with room to spare.
MESSAGE_ID_LENGTH = 100
# endpoint id + event id [+ ":replay:" + a UUID]
DEDUPE_KEY_LENGTH = 200

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(UUID_LENGTH), primary_key=True),
    Column("url", String(URL_MAX_LENGTH), nullable=False),
    Column("description", String(DESCRIPTION_MAX_LENGTH), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("secret", LargeBinary, nullable=False),
    Column("enabled", Integer, nullable=False, default=1),
    # Failed attempts since the last success: the endpoint is disabled at a configured run.
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),
    # Deleted endpoints are kept (their delivery log stays readable to no one; rows stop).
    Column("deleted_at", UtcDateTime(), nullable=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # Insertion order: per case and endpoint, the order the events arrived in (one partition).
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(UUID_LENGTH), nullable=False, unique=True),
    # One row per (endpoint, event): a redelivered event, or a second instance, adds no second.
    Column("dedupe_key", String(DEDUPE_KEY_LENGTH), nullable=False, unique=True),
    Column("endpoint_id", String(UUID_LENGTH), nullable=False),
    # The `webhook-id` header: the event id, the same across retries and replays.
    Column("message_id", String(MESSAGE_ID_LENGTH), nullable=False),
    Column("event_type", String(EVENT_TYPE_LENGTH), nullable=False),
    Column("reference", String(REFERENCE_LENGTH), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("last_response_status", Integer, nullable=True),
    Column("last_error", String(FAILURE_REASON_LENGTH), nullable=True),
    Column("replay_of", String(UUID_LENGTH), nullable=True),
    Index("ix_webhook_deliveries_endpoint_reference", "endpoint_id", "reference", "seq"),
    Index("ix_webhook_deliveries_status_next_attempt", "status", "next_attempt_at"),
)
