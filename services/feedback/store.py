"""Feedback's own database: surveys (one per case), anonymised responses, outbox and inbox.

A survey row knows the case reference (to address the invitation); a response row does not:
answers are stored apart from the survey that collected them, so the table of answers cannot be
joined back to a case. The survey link's token is kept encrypted (the invitation and reminder
need it) beside its digest (to look a token up without decrypting every row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.domain import InvitationSchedule, SurveyState
from shared.auth import hash_tracking_token
from shared.crypto import Cipher
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
    Column("reference", String(64), nullable=False, unique=True),
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
)


@dataclass(frozen=True)
class Survey:
    survey_id: str
    reference: str
    token: str
    organisation: str
    sector: str
    outcome: str
    closed_at: datetime
    state: SurveyState

    @property
    def expires_at(self) -> datetime:
        return self.state.schedule.expires_at


@dataclass(frozen=True)
class StoredResponse:
    response_id: str
    submitted_at: datetime
    respondent: str
    sector: str | None
    outcome: str | None
    answers: dict[str, int]
    comments: str | None


class SurveyStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def exists_for(self, reference: str) -> bool:
        found = await self.session.scalar(
            select(surveys.c.survey_id).where(surveys.c.reference == reference)
        )
        return found is not None

    async def add(
        self,
        *,
        survey_id: str,
        reference: str,
        token: str,
        organisation: str,
        sector: str,
        outcome: str,
        closed_at: datetime,
        schedule: InvitationSchedule,
    ) -> None:
        await self.session.execute(
            surveys.insert().values(
                survey_id=survey_id,
                reference=reference,
                token_digest=hash_tracking_token(token),
                token=self.cipher.encrypt(token),
                organisation=organisation,
                sector=sector,
                outcome=outcome,
                closed_at=closed_at,
                invite_at=schedule.invite_at,
                reminder_at=schedule.reminder_at,
                expires_at=schedule.expires_at,
            )
        )

    async def due_ids(self, now: datetime) -> list[str]:
        """Surveys that may have something to do now (the domain decides exactly what)."""
        unfinished = and_(
            surveys.c.answered_at.is_(None),
            surveys.c.opted_out_at.is_(None),
            surveys.c.expired_at.is_(None),
        )
        due = or_(
            and_(surveys.c.invited_at.is_(None), surveys.c.invite_at <= now),
            # The domain may wait longer after a late invitation; never less than reminder_at.
            and_(
                surveys.c.invited_at.is_not(None),
                surveys.c.reminded_at.is_(None),
                surveys.c.reminder_at <= now,
            ),
            surveys.c.expires_at <= now,
        )
        rows = await self.session.scalars(
            select(surveys.c.survey_id).where(unfinished, due).order_by(surveys.c.invite_at)
        )
        return list(rows)

    async def lock(self, survey_id: str) -> Survey | None:
        """The survey, locked for this transaction; None if another instance holds it."""
        row = (
            await self.session.execute(
                select(surveys)
                .where(surveys.c.survey_id == survey_id)
                .with_for_update(skip_locked=True)
            )
        ).first()
        return None if row is None else self._survey(row)

    async def by_token(self, token: str, *, for_update: bool = False) -> Survey | None:
        query = select(surveys).where(surveys.c.token_digest == hash_tracking_token(token))
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return None if row is None else self._survey(row)

    async def mark(self, survey_id: str, **moments: datetime) -> None:
        """Set `invited_at`, `reminded_at`, `answered_at`, `opted_out_at` or `expired_at`."""
        await self.session.execute(
            update(surveys).where(surveys.c.survey_id == survey_id).values(**moments)
        )

    def _survey(self, row: Any) -> Survey:
        return Survey(
            survey_id=row.survey_id,
            reference=row.reference,
            token=self.cipher.decrypt(row.token),
            organisation=row.organisation,
            sector=row.sector,
            outcome=row.outcome,
            closed_at=row.closed_at,
            state=SurveyState(
                schedule=InvitationSchedule(row.invite_at, row.reminder_at, row.expires_at),
                invited_at=row.invited_at,
                reminded_at=row.reminded_at,
                answered_at=row.answered_at,
                opted_out_at=row.opted_out_at,
                expired_at=row.expired_at,
            ),
        )


class ResponseStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, response: StoredResponse) -> None:
        await self.session.execute(
            responses.insert().values(
                response_id=response.response_id,
                submitted_at=response.submitted_at,
                respondent=response.respondent,
                sector=response.sector,
                outcome=response.outcome,
                answers=response.answers,
                comments=response.comments,
            )
        )

    async def between(
        self, submitted_from: datetime, submitted_before: datetime, respondent: str
    ) -> Sequence[StoredResponse]:
        rows = (
            await self.session.execute(
                select(responses)
                .where(
                    responses.c.submitted_at >= submitted_from,
                    responses.c.submitted_at < submitted_before,
                    responses.c.respondent == respondent,
                )
                .order_by(responses.c.submitted_at)
            )
        ).all()
        return [
            StoredResponse(
                response_id=row.response_id,
                submitted_at=row.submitted_at,
                respondent=row.respondent,
                sector=row.sector,
                outcome=row.outcome,
                answers=row.answers,
                comments=row.comments,
            )
            for row in rows
        ]
