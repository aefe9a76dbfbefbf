"""Reports' own database: the read model built from events, and the reports it has published.

The read model has three parts, one per source topic, so the consumers never contend for a row:

- `case_facts`: one JSON document per case reference, merged from the public case events
  (`domain/merging.py`), plus indexed copies of the columns queries filter on;
- `acknowledgements`: when each case was first acknowledged (notification deliveries);
- `satisfaction_responses`: anonymised survey answers (feedback).

`published_reports` and `service_changes` are not part of the read model: the first records what
was published, the second what staff recorded as changed in the service ("you said, we did");
neither comes from events, and a rebuild leaves both alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.domain import CaseFacts, SatisfactionResponse, ServiceChange
from services.reports.domain.merging import FactsDocument
from shared.db import UtcDateTime
from shared.inbox import inbox_table
from shared.outbox import outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

case_facts = Table(
    "case_facts",
    metadata,
    Column("reference", String(64), primary_key=True),
    # Copies of fields inside `facts`, for filtering in SQL; null until the case's own events
    # arrive (an acknowledgement can be seen before the case is).
    Column("organisation", String(200), nullable=True, index=True),
    Column("sector", String(20), nullable=True, index=True),
    Column("received_at", UtcDateTime(), nullable=True, index=True),
    Column("closed_at", UtcDateTime(), nullable=True, index=True),
    Column("facts", JSON, nullable=False),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("acknowledged_at", UtcDateTime(), nullable=False),
)

satisfaction_responses = Table(
    "satisfaction_responses",
    metadata,
    Column("response_id", String(64), primary_key=True),
    Column("submitted_at", UtcDateTime(), nullable=False, index=True),
    Column("respondent", String(20), nullable=False),
    Column("sector", String(20), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("answers", JSON, nullable=False),
)

published_reports = Table(
    "published_reports",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("period_from", Date(), nullable=False),
    Column("period_to", Date(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False, index=True),
    Column("html", Text(), nullable=False),
    UniqueConstraint("kind", "period_from", "period_to", name="uq_published_reports_period"),
)

service_changes = Table(
    "service_changes",
    metadata,
    Column("change_id", String(36), primary_key=True),
    # A complaint theme as caseworkers tag it, or a survey question id (`kept_up_to_date`).
    Column("theme", String(100), nullable=False, index=True),
    Column("description", Text(), nullable=False),
    Column("made_on", Date(), nullable=False, index=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

READ_MODEL_TABLES = (case_facts, acknowledgements, satisfaction_responses)


@dataclass(frozen=True)
class PublishedReport:
    report_id: str
    kind: str
    title: str
    period_from: date
    period_to: date
    published_at: datetime


def _insert_ignoring_duplicates(session: AsyncSession, table: Table, values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing()


class ReadModel:
    """Reads and writes the read model inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ writing

    async def merge_case(
        self,
        reference: str,
        merge: Callable[[FactsDocument], FactsDocument],
        columns: Callable[[FactsDocument], dict[str, Any]],
    ) -> None:
        """Apply `merge` to the case's document under a row lock (two instances of the service,
        or a rebuild beside a live consumer, must not lose each other's updates)."""
        await self.session.execute(
            _insert_ignoring_duplicates(
                self.session, case_facts, {"reference": reference, "facts": {}}
            )
        )
        current = await self.session.scalar(
            select(case_facts.c.facts).where(case_facts.c.reference == reference).with_for_update()
        )
        merged = merge(dict(current or {}))
        await self.session.execute(
            update(case_facts)
            .where(case_facts.c.reference == reference)
            .values(facts=merged, **columns(merged))
        )

    async def record_acknowledgement(self, reference: str, at: datetime) -> None:
        """Keep the earliest acknowledgement: redeliveries and later messages change nothing."""
        await self.session.execute(
            _insert_ignoring_duplicates(
                self.session, acknowledgements, {"reference": reference, "acknowledged_at": at}
            )
        )
        await self.session.execute(
            update(acknowledgements)
            .where(
                acknowledgements.c.reference == reference, acknowledgements.c.acknowledged_at > at
            )
            .values(acknowledged_at=at)
        )

    async def add_response(self, response: SatisfactionResponse) -> None:
        await self.session.execute(
            _insert_ignoring_duplicates(
                self.session,
                satisfaction_responses,
                {
                    "response_id": response.response_id,
                    "submitted_at": response.submitted_at,
                    "respondent": response.respondent,
                    "sector": response.sector.value if response.sector else None,
                    "outcome": response.outcome.value if response.outcome else None,
                    "answers": response.answers,
                },
            )
        )

    async def clear(self) -> None:
        """Empty the read model (for a rebuild), inside the caller's transaction."""
        for table in READ_MODEL_TABLES:
            await self.session.execute(delete(table))

    # ------------------------------------------------------------------ reading

    async def cases(
        self,
        to_facts: Callable[[FactsDocument, datetime | None], CaseFacts | None],
        *,
        received_before: datetime,
        organisation: str | None = None,
        sector: str | None = None,
    ) -> list[CaseFacts]:
        """Every complete case received before `received_before`, optionally filtered."""
        query = (
            select(case_facts.c.facts, acknowledgements.c.acknowledged_at)
            .select_from(
                case_facts.outerjoin(
                    acknowledgements, acknowledgements.c.reference == case_facts.c.reference
                )
            )
            .where(case_facts.c.received_at < received_before)
            .order_by(case_facts.c.reference)
        )
        if organisation is not None:
            query = query.where(case_facts.c.organisation == organisation)
        if sector is not None:
            query = query.where(case_facts.c.sector == sector)
        rows = (await self.session.execute(query)).all()
        built = (to_facts(row.facts, row.acknowledged_at) for row in rows)
        return [facts for facts in built if facts is not None]

    async def responses(
        self, *, submitted_from: datetime, submitted_before: datetime
    ) -> list[SatisfactionResponse]:
        rows = (
            await self.session.execute(
                select(satisfaction_responses)
                .where(
                    satisfaction_responses.c.submitted_at >= submitted_from,
                    satisfaction_responses.c.submitted_at < submitted_before,
                )
                .order_by(satisfaction_responses.c.response_id)
            )
        ).all()
        return [
            SatisfactionResponse(
                response_id=row.response_id,
                submitted_at=row.submitted_at,
                respondent=row.respondent,
                sector=row.sector,
                outcome=row.outcome,
                answers=row.answers,
            )
            for row in rows
        ]


class Publications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def exists(self, kind: str, period_from: date, period_to: date) -> bool:
        found = await self.session.scalar(
            select(published_reports.c.report_id).where(
                published_reports.c.kind == kind,
                published_reports.c.period_from == period_from,
                published_reports.c.period_to == period_to,
            )
        )
        return found is not None

    async def add(self, report: PublishedReport, html: str) -> None:
        await self.session.execute(
            published_reports.insert().values(
                report_id=report.report_id,
                kind=report.kind,
                title=report.title,
                period_from=report.period_from,
                period_to=report.period_to,
                published_at=report.published_at,
                html=html,
            )
        )

    async def listing(self) -> Sequence[PublishedReport]:
        rows = (
            await self.session.execute(
                select(
                    published_reports.c.report_id,
                    published_reports.c.kind,
                    published_reports.c.title,
                    published_reports.c.period_from,
                    published_reports.c.period_to,
                    published_reports.c.published_at,
                ).order_by(published_reports.c.period_from.desc(), published_reports.c.kind)
            )
        ).all()
        return [PublishedReport(**row._mapping) for row in rows]

    async def html(self, report_id: str) -> str | None:
        html: str | None = await self.session.scalar(
            select(published_reports.c.html).where(published_reports.c.report_id == report_id)
        )
        return html


class ServiceChanges:
    """Changes to the service that staff recorded against a theme."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, change: ServiceChange, *, recorded_at: datetime, recorded_by: str) -> None:
        await self.session.execute(
            service_changes.insert().values(
                change_id=change.change_id,
                theme=change.theme,
                description=change.description,
                made_on=change.made_on,
                recorded_at=recorded_at,
                recorded_by=recorded_by,
            )
        )

    async def made_between(self, first_day: date, last_day: date) -> list[ServiceChange]:
        rows = (
            await self.session.execute(
                select(service_changes)
                .where(
                    service_changes.c.made_on >= first_day, service_changes.c.made_on <= last_day
                )
                .order_by(service_changes.c.made_on, service_changes.c.change_id)
            )
        ).all()
        return [
            ServiceChange(
                change_id=row.change_id,
                theme=row.theme,
                description=row.description,
                made_on=row.made_on,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class ReportsStores:
    """What reports' use cases are handed, bound to one session (shared/kit/work.py)."""

    read_model: ReadModel
    publications: Publications
    service_changes: ServiceChanges


def reports_stores(session: AsyncSession) -> ReportsStores:
    return ReportsStores(ReadModel(session), Publications(session), ServiceChanges(session))
