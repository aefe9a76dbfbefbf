"""Casework's store for staff: accounts, console sessions, saved views and template responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.tables import (
    response_templates,
    saved_views,
    staff_accounts,
    staff_sessions,
)


class StaffStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ accounts

    async def account(self, account_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(staff_accounts).where(staff_accounts.c.account_id == account_id)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def account_by_email(self, email: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(staff_accounts).where(
                    func.lower(staff_accounts.c.email) == email.strip().lower()
                )
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def accounts(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(staff_accounts).order_by(staff_accounts.c.role, staff_accounts.c.name)
        )
        return [dict(row._mapping) for row in rows]

    async def add_account(self, **values: Any) -> None:
        await self.session.execute(staff_accounts.insert().values(failed_attempts=0, **values))

    async def change_account(self, account_id: str, **values: Any) -> None:
        await self.session.execute(
            update(staff_accounts).where(staff_accounts.c.account_id == account_id).values(**values)
        )

    # ------------------------------------------------------------------ sessions

    async def add_session(
        self, *, session_hash: str, account_id: str, csrf_token: str, awaiting: bool, now: datetime
    ) -> None:
        await self.session.execute(
            staff_sessions.insert().values(
                session_hash=session_hash,
                account_id=account_id,
                csrf_token=csrf_token,
                awaiting_second_factor=awaiting,
                created_at=now,
                last_seen_at=now,
            )
        )

    async def session_with_account(self, session_hash: str) -> dict[str, Any] | None:
        """The session and its account's fields (prefixed `account_`) in one indexed read."""
        row = (
            await self.session.execute(
                select(
                    staff_sessions,
                    staff_accounts.c.email,
                    staff_accounts.c.name,
                    staff_accounts.c.role,
                    staff_accounts.c.active,
                    staff_accounts.c.skills,
                )
                .join(staff_accounts, staff_accounts.c.account_id == staff_sessions.c.account_id)
                .where(staff_sessions.c.session_hash == session_hash)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def touch_session(self, session_hash: str, now: datetime) -> None:
        await self.session.execute(
            update(staff_sessions)
            .where(staff_sessions.c.session_hash == session_hash)
            .values(last_seen_at=now)
        )

    async def delete_session(self, session_hash: str) -> None:
        await self.session.execute(
            delete(staff_sessions).where(staff_sessions.c.session_hash == session_hash)
        )

    async def delete_sessions_of(self, account_id: str) -> None:
        await self.session.execute(
            delete(staff_sessions).where(staff_sessions.c.account_id == account_id)
        )

    async def delete_sessions_idle_since(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(staff_sessions).where(staff_sessions.c.last_seen_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete_sessions_created_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(staff_sessions).where(staff_sessions.c.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # ------------------------------------------------------------------ saved views

    async def saved_views(self, account_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(saved_views)
            .where(saved_views.c.account_id == account_id)
            .order_by(saved_views.c.name)
        )
        return [dict(row._mapping) for row in rows]

    async def add_saved_view(self, **values: Any) -> None:
        await self.session.execute(saved_views.insert().values(**values))

    async def delete_saved_view(self, account_id: str, view_id: str) -> None:
        await self.session.execute(
            delete(saved_views).where(
                saved_views.c.account_id == account_id, saved_views.c.view_id == view_id
            )
        )

    # ------------------------------------------------------------------ template responses

    async def templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = select(response_templates).order_by(
            response_templates.c.kind, response_templates.c.name
        )
        if kind:
            query = query.where(response_templates.c.kind == kind)
        return [dict(row._mapping) for row in await self.session.execute(query)]

    async def template(self, template_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(response_templates).where(response_templates.c.template_id == template_id)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def put_template(self, template_id: str, **values: Any) -> None:
        if await self.template(template_id) is None:
            await self.session.execute(
                response_templates.insert().values(template_id=template_id, **values)
            )
        else:
            await self.session.execute(
                update(response_templates)
                .where(response_templates.c.template_id == template_id)
                .values(**values)
            )

    async def delete_template(self, template_id: str) -> None:
        await self.session.execute(
            delete(response_templates).where(response_templates.c.template_id == template_id)
        )
