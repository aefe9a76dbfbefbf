"""The work lists' queries: filters and sorts on indexed columns of `cases` (and `case_themes`),
never a scan of case documents, so they stay quick with a million cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.store import name_key
from services.casework.tables import case_themes, cases, staff_accounts
from shared.crypto import Cipher

DeadlineState = Literal["overdue", "due_soon"]
Sort = Literal["deadline", "opened", "reference"]
# Rows on one page of a work list (GOV.UK pagination pattern: a screenful of rows).
PAGE_SIZE = 25


@dataclass(frozen=True)
class WorkListFilter:
    caseworker_id: str | None = None
    stage: str | None = None
    organisation: str | None = None
    sector: str | None = None
    theme: str | None = None
    deadline: DeadlineState | None = None
    paused: bool | None = None
    reference: str | None = None
    # The searched value's digests under every listed look-up key (shared/crypto.py).
    name_digests: tuple[str, ...] = ()
    email_digests: tuple[str, ...] = ()
    # Closed cases are left out unless the stage filter asks for them.
    include_closed: bool = False


def search_filter(cipher: Cipher, query: str) -> WorkListFilter:
    """Staff search by the complainant's name, or email when it has an @, through their keyed
    digests under every listed look-up key (cases not yet re-indexed after a rotation match)."""
    return WorkListFilter(
        name_digests=tuple(cipher.lookup_digests(name_key(query))),
        email_digests=tuple(cipher.lookup_digests(query)) if "@" in query else (),
        include_closed=True,
    )


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _where(query: Select[Any], wanted: WorkListFilter, today: date, soon: date) -> Select[Any]:
    conditions = []
    if wanted.caseworker_id:
        conditions.append(cases.c.caseworker_id == wanted.caseworker_id)
    if wanted.stage:
        conditions.append(cases.c.stage == wanted.stage)
    elif not wanted.include_closed and not wanted.reference:
        conditions.append(cases.c.stage != "closed")
    if wanted.organisation:
        conditions.append(cases.c.organisation_name == wanted.organisation)
    if wanted.sector:
        conditions.append(cases.c.sector == wanted.sector)
    if wanted.theme:
        themed = select(case_themes.c.reference).where(case_themes.c.theme == wanted.theme)
        conditions.append(cases.c.reference.in_(themed))
    if wanted.deadline == "overdue":
        conditions.append(cases.c.work_deadline_on < today)
    elif wanted.deadline == "due_soon":
        conditions.append(and_(cases.c.work_deadline_on >= today, cases.c.work_deadline_on <= soon))
    if wanted.paused is not None:
        conditions.append(cases.c.paused == wanted.paused)
    if wanted.reference:
        conditions.append(cases.c.reference == wanted.reference)
    digests = []
    if wanted.name_digests:
        digests.append(cases.c.complainant_name_digest.in_(wanted.name_digests))
    if wanted.email_digests:
        digests.append(cases.c.complainant_email_digest.in_(wanted.email_digests))
    if digests:
        conditions.append(or_(*digests))
    return query.where(*conditions) if conditions else query


def _order(query: Select[Any], sort: Sort) -> Select[Any]:
    if sort == "opened":
        return query.order_by(cases.c.opened_at.desc(), cases.c.reference)
    if sort == "reference":
        return query.order_by(cases.c.reference)
    return query.order_by(cases.c.work_deadline_on.asc().nulls_last(), cases.c.reference)


def list_query(wanted: WorkListFilter, *, today: date, soon: date, sort: Sort) -> Select[Any]:
    """The rows of a work list, unpaged."""
    query = select(
        cases.c.reference,
        cases.c.organisation_name,
        cases.c.stage,
        cases.c.paused,
        cases.c.caseworker_id,
        cases.c.work_deadline_on,
        cases.c.work_deadline_kind,
        staff_accounts.c.name.label("caseworker_name"),
    ).outerjoin(staff_accounts, staff_accounts.c.account_id == cases.c.caseworker_id)
    return _order(_where(query, wanted, today, soon), sort)


async def work_list(
    session: AsyncSession,
    wanted: WorkListFilter,
    *,
    today: date,
    soon: date,
    page: int,
    sort: Sort = "deadline",
) -> Page:
    """One page of cases; `soon` is the last day that counts as "due soon"."""
    total = int(
        await session.scalar(_where(select(func.count()).select_from(cases), wanted, today, soon))
        or 0
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = list_query(wanted, today=today, soon=soon, sort=sort)
    rows = await session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Page([dict(row._mapping) for row in rows], total, page, pages)


async def workload(session: AsyncSession, today: date) -> dict[str, dict[str, int]]:
    """Open and overdue cases per caseworker id."""
    overdue = func.sum(case((cases.c.work_deadline_on < today, 1), else_=0))
    rows = await session.execute(
        select(cases.c.caseworker_id, func.count(), overdue)
        .where(cases.c.stage != "closed", cases.c.caseworker_id.is_not(None))
        .group_by(cases.c.caseworker_id)
    )
    return {row[0]: {"open": int(row[1]), "overdue": int(row[2] or 0)} for row in rows}


async def organisations(session: AsyncSession, limit: int) -> list[str]:
    """Organisation names with open cases, for the filter's list (bounded)."""
    rows = await session.scalars(
        select(cases.c.organisation_name)
        .where(cases.c.stage != "closed")
        .group_by(cases.c.organisation_name)
        .order_by(cases.c.organisation_name)
        .limit(limit)
    )
    return list(rows)


async def themes(session: AsyncSession, limit: int) -> list[str]:
    rows = await session.scalars(
        select(case_themes.c.theme)
        .group_by(case_themes.c.theme)
        .order_by(case_themes.c.theme)
        .limit(limit)
    )
    return list(rows)


class WorkLists:
    """The queries above bound to one session: what a use case is handed as `stores.lists`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self,
        wanted: WorkListFilter,
        *,
        today: date,
        soon: date,
        page: int,
        sort: Sort = "deadline",
    ) -> Page:
        return await work_list(self.session, wanted, today=today, soon=soon, page=page, sort=sort)

    async def workload(self, today: date) -> dict[str, dict[str, int]]:
        return await workload(self.session, today)

    async def organisations(self, limit: int) -> list[str]:
        return await organisations(self.session, limit)

    async def themes(self, limit: int) -> list[str]:
        return await themes(self.session, limit)
