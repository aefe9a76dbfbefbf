"""Casework's store for cases: the case documents, the complaint as received (encrypted),
messages, comments on the draft decision, themes, and the roster (the caseworkers among the
staff accounts, services/casework/staff_store.py keeps the rest of the accounts). Tables are in
tables.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.domain import Case, DeadlineKind, DeadlineStatus, work_deadline
from services.casework.tables import (
    case_messages,
    case_themes,
    cases,
    draft_comments,
    inbox,
    metadata,
    outbox,
    staff_accounts,
)
from shared.crypto import Cipher

__all__ = ["CaseStore", "StaleCaseError", "inbox", "metadata", "outbox"]

ROSTER_ROLE = "caseworker"


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
                **complainant_digests(self.cipher, complaint),
                version=1,
                tracking_token_hash=tracking_token_hash,
                complaint=self.cipher.encrypt_json(complaint),
            )
        )

    async def replace_themes(self, reference: str, themes: list[str]) -> None:
        await self.session.execute(delete(case_themes).where(case_themes.c.reference == reference))
        for theme in sorted(set(themes)):
            await self.session.execute(
                case_themes.insert().values(reference=reference, theme=theme)
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

    async def add_draft_comment(
        self, *, comment_id: str, reference: str, body: str, at: datetime
    ) -> None:
        await self.session.execute(
            draft_comments.insert().values(
                comment_id=comment_id,
                reference=reference,
                body=self.cipher.encrypt(body),
                at=at,
            )
        )

    async def draft_comments(self, reference: str) -> list[dict[str, Any]]:
        """The complainant's comments on the draft, oldest first."""
        rows = await self.session.execute(
            select(draft_comments)
            .where(draft_comments.c.reference == reference)
            .order_by(draft_comments.c.at, draft_comments.c.comment_id)
        )
        return [{"body": self.cipher.decrypt(row.body), "at": row.at} for row in rows]

    # ------------------------------------------------------------------ roster and workload

    async def roster(self) -> list[dict[str, Any]]:
        """The caseworkers, as `GET /v1/caseworkers` has always shown them."""
        rows = await self.session.execute(
            select(
                staff_accounts.c.account_id.label("caseworker_id"),
                staff_accounts.c.name,
                staff_accounts.c.skills.label("sectors"),
                staff_accounts.c.active,
            )
            .where(staff_accounts.c.role == ROSTER_ROLE)
            .order_by(staff_accounts.c.account_id)
        )
        return [dict(row._mapping) for row in rows]

    async def roster_is_empty(self) -> bool:
        return not await self.session.scalar(
            select(func.count())
            .select_from(staff_accounts)
            .where(staff_accounts.c.role == ROSTER_ROLE)
        )

    async def put_caseworker(
        self, caseworker_id: str, name: str, sectors: list[str], active: bool, now: datetime
    ) -> None:
        """Add a roster member or change one (an account that signs in keeps its email)."""
        existing = await self.session.scalar(
            select(staff_accounts.c.account_id).where(staff_accounts.c.account_id == caseworker_id)
        )
        values = {"name": name, "skills": sectors, "active": active}
        if existing is None:
            await self.session.execute(
                staff_accounts.insert().values(
                    account_id=caseworker_id,
                    role=ROSTER_ROLE,
                    failed_attempts=0,
                    created_at=now,
                    **values,
                )
            )
        else:
            await self.session.execute(
                update(staff_accounts)
                .where(staff_accounts.c.account_id == caseworker_id)
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
    work = work_deadline(case)
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
        "work_deadline_on": work.due_by if work else None,
        "work_deadline_kind": work.kind.value if work else None,
        "paused": case.is_paused,
        "document": case.model_dump(mode="json"),
    }


def name_key(name: str) -> str:
    """How a name is compared in search: spacing and case do not matter."""
    return " ".join(name.split())


def complainant_digests(cipher: Cipher, complaint: dict[str, Any]) -> dict[str, str | None]:
    """Keyed digests of the complainant's name and email: search without a plain-text index."""
    person = complaint.get("complainant") or {}
    name, email = person.get("name"), person.get("email")
    return {
        "complainant_name_digest": cipher.lookup_digest(name_key(name)) if name else None,
        "complainant_email_digest": cipher.lookup_digest(email) if email else None,
    }
