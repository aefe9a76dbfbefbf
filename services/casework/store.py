"""Casework's own database: cases (a JSON document per case), the complaint as received
(encrypted), messages, the caseworker roster, plus the outbox and inbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.domain import Case, DeadlineKind, DeadlineStatus
from shared.crypto import Cipher
from shared.db import UtcDateTime
from shared.inbox import inbox_table
from shared.outbox import outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

cases = Table(
    "cases",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("stage", String(20), nullable=False, index=True),
    Column("organisation_name", String(200), nullable=False),
    Column("sector", String(20), nullable=False, index=True),
    Column("caseworker_id", String(64), nullable=True, index=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    # The earliest open deadline: the scheduler looks only at cases whose day has come.
    Column("next_deadline_on", Date, nullable=True, index=True),
    Column("document", JSON, nullable=False),
    # Optimistic concurrency: every save checks and bumps it, so two instances (or two clicks)
    # never both apply a change or both report a missed deadline.
    Column("version", Integer, nullable=False),
    Column("tracking_token_hash", String(64), nullable=False),
    # The complaint as intake received it (personal data), encrypted.
    Column("complaint", LargeBinary, nullable=True),
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

caseworkers = Table(
    "caseworkers",
    metadata,
    Column("caseworker_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)


class StaleCaseError(Exception):
    """Someone else changed the case since it was read."""


class CaseStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def exists(self, reference: str) -> bool:
        return (
            await self.session.scalar(
                select(cases.c.reference).where(cases.c.reference == reference)
            )
            is not None
        )

    async def add(self, case: Case, *, tracking_token_hash: str, complaint: dict[str, Any]) -> None:
        await self.session.execute(
            cases.insert().values(
                **_columns(case),
                version=1,
                tracking_token_hash=tracking_token_hash,
                complaint=self.cipher.encrypt_json(complaint),
            )
        )

    async def load(self, reference: str) -> tuple[Case, int, str] | None:
        row = (
            await self.session.execute(
                select(cases.c.document, cases.c.version, cases.c.tracking_token_hash).where(
                    cases.c.reference == reference
                )
            )
        ).first()
        if row is None:
            return None
        return Case.model_validate(row.document), row.version, row.tracking_token_hash

    async def save(self, case: Case, expected_version: int) -> None:
        result = await self.session.execute(
            update(cases)
            .where(cases.c.reference == case.reference, cases.c.version == expected_version)
            .values(**_columns(case), version=expected_version + 1)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise StaleCaseError(case.reference)

    async def complaint(self, reference: str) -> dict[str, Any] | None:
        blob = await self.session.scalar(
            select(cases.c.complaint).where(cases.c.reference == reference)
        )
        return None if blob is None else dict(self.cipher.decrypt_json(blob))

    async def listing(
        self, *, stage: str | None, caseworker_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        query = select(
            cases.c.reference,
            cases.c.stage,
            cases.c.organisation_name,
            cases.c.sector,
            cases.c.caseworker_id,
            cases.c.opened_at,
            cases.c.next_deadline_on,
        ).order_by(cases.c.opened_at.desc())
        if stage:
            query = query.where(cases.c.stage == stage)
        if caseworker_id:
            query = query.where(cases.c.caseworker_id == caseworker_id)
        rows = await self.session.execute(query.limit(limit).offset(offset))
        return [dict(row._mapping) for row in rows]

    async def due_for_deadline_check(self, today: date, limit: int) -> list[str]:
        rows = await self.session.scalars(
            select(cases.c.reference).where(cases.c.next_deadline_on <= today).limit(limit)
        )
        return list(rows)

    async def add_message(
        self,
        *,
        message_id: str,
        reference: str,
        direction: str,
        author: str,
        body: str,
        at: datetime,
    ) -> None:
        await self.session.execute(
            case_messages.insert().values(
                message_id=message_id,
                reference=reference,
                direction=direction,
                author=author,
                body=self.cipher.encrypt(body),
                at=at,
            )
        )

    async def messages(self, reference: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(case_messages)
            .where(case_messages.c.reference == reference)
            .order_by(case_messages.c.at)
        )
        return [
            {
                "message_id": row.message_id,
                "direction": row.direction,
                "author": row.author,
                "body": self.cipher.decrypt(row.body),
                "at": row.at,
            }
            for row in rows
        ]

    # ------------------------------------------------------------------ roster and workload

    async def roster(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(caseworkers).order_by(caseworkers.c.caseworker_id))
        return [dict(row._mapping) for row in rows]

    async def roster_is_empty(self) -> bool:
        return not await self.session.scalar(select(func.count()).select_from(caseworkers))

    async def put_caseworker(
        self, caseworker_id: str, name: str, sectors: list[str], active: bool
    ) -> None:
        existing = await self.session.scalar(
            select(caseworkers.c.caseworker_id).where(caseworkers.c.caseworker_id == caseworker_id)
        )
        values = {"name": name, "sectors": sectors, "active": active}
        if existing is None:
            await self.session.execute(
                caseworkers.insert().values(caseworker_id=caseworker_id, **values)
            )
        else:
            await self.session.execute(
                update(caseworkers)
                .where(caseworkers.c.caseworker_id == caseworker_id)
                .values(**values)
            )

    async def open_workload(self) -> dict[str, int]:
        rows = await self.session.execute(
            select(cases.c.caseworker_id, func.count())
            .where(cases.c.stage != "closed", cases.c.caseworker_id.is_not(None))
            .group_by(cases.c.caseworker_id)
        )
        return {row[0]: int(row[1]) for row in rows}


def _columns(case: Case) -> dict[str, Any]:
    # The review window closing is not a deadline anyone can miss, so it never wakes the scheduler.
    open_dates = [
        d.due_by
        for d in case.deadlines
        if d.status is DeadlineStatus.OPEN and d.kind is not DeadlineKind.REVIEW_REQUEST_WINDOW
    ]
    return {
        "reference": case.reference,
        "stage": case.stage.value,
        "organisation_name": case.organisation.name,
        "sector": case.organisation.sector.value,
        "caseworker_id": case.caseworker.id if case.caseworker else None,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "next_deadline_on": min(open_dates) if open_dates else None,
        "document": case.model_dump(mode="json"),
    }
