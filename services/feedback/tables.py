"""Feedback's tables: surveys (one per case and respondent), organisations' survey contacts,
open consultations, anonymised responses, outbox and inbox (store.py says what each keeps
apart and why)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
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

surveys = Table(
    "surveys",
    metadata,
    Column("survey_id", String(36), primary_key=True),
    Column("reference", String(64), nullable=False),
    # "complainant" (invited through notifications) or "organisation" (invited by mail here).
    Column("respondent", String(20), nullable=False, server_default="complainant"),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("token", LargeBinary, nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("sector", String(20), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=False),
    Column("invite_at", UtcDateTime(), nullable=False, index=True),
    Column("reminder_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("invited_at", UtcDateTime(), nullable=True),
    Column("reminded_at", UtcDateTime(), nullable=True),
    Column("answered_at", UtcDateTime(), nullable=True),
    Column("opted_out_at", UtcDateTime(), nullable=True),
    Column("expired_at", UtcDateTime(), nullable=True),
    UniqueConstraint("reference", "respondent", name="uq_surveys_reference_respondent"),
)

organisation_contacts = Table(
    "organisation_contacts",
    metadata,
    # domain.organisation_key of the name, so spacing and case in complaint forms do not matter.
    Column("organisation_key", String(200), primary_key=True),
    Column("organisation", String(200), nullable=False),
    Column("email", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(200), nullable=False),
)

consultations = Table(
    "consultations",
    metadata,
    Column("consultation_id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    # [[question_id, text], ...] in the order asked.
    Column("questions", JSON, nullable=False),
    Column("closes_on", Date(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    # The results as published, so the public page never changes afterwards.
    Column("published_results", JSON, nullable=True),
)

responses = Table(
    "responses",
    metadata,
    Column("response_id", String(36), primary_key=True),
    Column("submitted_at", UtcDateTime(), nullable=False, index=True),
    Column("respondent", String(20), nullable=False),
    Column("sector", String(20), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("answers", JSON, nullable=False),
    # Scrubbed of personal details before it is stored (domain.scrub_free_text).
    Column("comments", Text(), nullable=True),
    # Set for respondent "consultation" only.
    Column("consultation_id", String(36), nullable=True, index=True),
)
