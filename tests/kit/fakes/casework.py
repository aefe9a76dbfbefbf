"""In-memory casework stores (services/casework/store.py, staff_store.py, case_queries.py,
journal/store.py) for the use-case unit tests.

They keep what the real stores keep, in dictionaries: a case is kept as its JSON document with a
version, so a use case that forgets to save sees its change lost, and one that saves a stale
version gets `StaleCaseError`, as with the database.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from services.casework.case_queries import PAGE_SIZE, Page, Sort, WorkListFilter, WorkLists
from services.casework.document_store import DocumentStore
from services.casework.domain import Case, DeadlineKind, DeadlineStatus, work_deadline
from services.casework.domain.journal import JournalEntry
from services.casework.journal.store import JournalStore
from services.casework.staff_store import StaffStore
from services.casework.store import ROSTER_ROLE, CaseStore, StaleCaseError
from services.casework.stores import CaseworkStores
from services.casework.tables import staff_accounts


@dataclass
class CaseRow:
    document: dict[str, Any]
    version: int
    tracking_token_hash: str
    complaint: dict[str, Any]
    themes: list[str] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return Case.model_validate(self.document)


def next_deadline_on(case: Case) -> date | None:
    """What the real store indexes for the scheduler: the earliest open deadline, leaving out the
    review window (store.py `_columns`)."""
    due = [
        d.due_by
        for d in case.deadlines
        if d.status is DeadlineStatus.OPEN and d.kind is not DeadlineKind.REVIEW_REQUEST_WINDOW
    ]
    return min(due) if due else None


class FakeCaseStore:
    def __init__(self, staff: FakeStaffStore) -> None:
        self.rows: dict[str, CaseRow] = {}
        self.messages_of: dict[str, list[dict[str, Any]]] = {}
        self.comments_of: dict[str, list[dict[str, Any]]] = {}
        # The roster is the caseworkers among the staff accounts, as in the database.
        self.staff = staff

    async def exists(self, reference: str) -> bool:
        return reference in self.rows

    async def add(self, case: Case, *, tracking_token_hash: str, complaint: dict[str, Any]) -> None:
        if case.reference in self.rows:
            raise ValueError(f"{case.reference} is already kept")  # the primary key refuses it
        document = case.model_dump(mode="json")
        self.rows[case.reference] = CaseRow(
            document, 1, tracking_token_hash, copy.deepcopy(complaint)
        )

    async def replace_themes(self, reference: str, themes: list[str]) -> None:
        self.rows[reference].themes = sorted(set(themes))

    async def load(self, reference: str) -> tuple[Case, int, str] | None:
        row = self.rows.get(reference)
        return None if row is None else (row.case, row.version, row.tracking_token_hash)

    async def save(self, case: Case, expected_version: int) -> None:
        row = self.rows.get(case.reference)
        if row is None or row.version != expected_version:
            raise StaleCaseError(case.reference)
        row.document = case.model_dump(mode="json")
        row.version += 1

    async def complaint(self, reference: str) -> dict[str, Any] | None:
        row = self.rows.get(reference)
        return None if row is None else copy.deepcopy(row.complaint)

    async def listing(
        self, *, stage: str | None, caseworker_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        chosen = [
            row.case
            for row in self.rows.values()
            if (not stage or row.case.stage.value == stage)
            and (
                not caseworker_id
                or (row.case.caseworker and row.case.caseworker.id) == caseworker_id
            )
        ]
        chosen.sort(key=lambda c: c.opened_at, reverse=True)
        return [
            {
                "reference": c.reference,
                "stage": c.stage.value,
                "organisation_name": c.organisation.name,
                "sector": c.organisation.sector.value,
                "caseworker_id": c.caseworker.id if c.caseworker else None,
                "opened_at": c.opened_at,
                "next_deadline_on": next_deadline_on(c),
            }
            for c in chosen[offset : offset + limit]
        ]

    async def due_for_deadline_check(self, today: date, limit: int) -> list[str]:
        due = [
            r for r, row in self.rows.items() if (next_deadline_on(row.case) or date.max) <= today
        ]
        return due[:limit]

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
        self.messages_of.setdefault(reference, []).append(
            {
                "message_id": message_id,
                "direction": direction,
                "author": author,
                "body": body,
                "at": at,
            }
        )

    async def messages(self, reference: str) -> list[dict[str, Any]]:
        return sorted(self.messages_of.get(reference, []), key=lambda m: m["at"])

    async def add_draft_comment(
        self, *, comment_id: str, reference: str, body: str, at: datetime
    ) -> None:
        self.comments_of.setdefault(reference, []).append(
            {"comment_id": comment_id, "body": body, "at": at}
        )

    async def draft_comments(self, reference: str) -> list[dict[str, Any]]:
        kept = sorted(self.comments_of.get(reference, []), key=lambda c: (c["at"], c["comment_id"]))
        return [{"body": c["body"], "at": c["at"]} for c in kept]

    async def roster(self) -> list[dict[str, Any]]:
        return [
            {
                "caseworker_id": a["account_id"],
                "name": a["name"],
                "sectors": a["skills"],
                "active": a["active"],
            }
            for a in sorted(self.staff.accounts_by_id.values(), key=lambda a: a["account_id"])
            if a["role"] == ROSTER_ROLE
        ]

    async def roster_is_empty(self) -> bool:
        return not await self.roster()

    async def put_caseworker(
        self, caseworker_id: str, name: str, sectors: list[str], active: bool, now: datetime
    ) -> None:
        values = {"name": name, "skills": list(sectors), "active": active}
        existing = self.staff.accounts_by_id.get(caseworker_id)
        if existing is None:
            await self.staff.add_account(
                account_id=caseworker_id, role=ROSTER_ROLE, email=None, created_at=now, **values
            )
        else:
            existing.update(values)

    async def open_workload(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows.values():
            case = row.case
            if case.stage.value != "closed" and case.caseworker is not None:
                counts[case.caseworker.id] = counts.get(case.caseworker.id, 0) + 1
        return counts


class FakeWorkLists:
    """The work lists over the fake cases: the filters the use cases pass, on the same fields."""

    def __init__(self, cases: FakeCaseStore) -> None:
        self.cases = cases

    def _open(self) -> list[Case]:
        return [row.case for row in self.cases.rows.values() if row.case.stage.value != "closed"]

    async def page(
        self,
        wanted: WorkListFilter,
        *,
        today: date,
        soon: date,
        page: int,
        sort: Sort = "deadline",
    ) -> Page:
        def kept(case: Case) -> bool:
            owner = case.caseworker.id if case.caseworker else None
            closed_ok = wanted.stage or wanted.include_closed or wanted.reference
            return (
                (not wanted.caseworker_id or owner == wanted.caseworker_id)
                and (not wanted.stage or case.stage.value == wanted.stage)
                and (bool(closed_ok) or case.stage.value != "closed")
                and (not wanted.reference or case.reference == wanted.reference)
                and (wanted.paused is None or case.is_paused == wanted.paused)
            )

        rows = [c for row in self.cases.rows.values() if kept(c := row.case)]
        rows.sort(key=lambda c: c.reference)
        if sort == "deadline":
            rows.sort(key=lambda c: w.due_by if (w := work_deadline(c)) else date.max)
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return Page([_list_row(c) for c in shown], len(rows), page, pages)

    async def workload(self, today: date) -> dict[str, dict[str, int]]:
        load: dict[str, dict[str, int]] = {}
        for case in self._open():
            if case.caseworker is None:
                continue
            mine = load.setdefault(case.caseworker.id, {"open": 0, "overdue": 0})
            mine["open"] += 1
            work = work_deadline(case)
            mine["overdue"] += int(work is not None and work.due_by < today)
        return load

    async def organisations(self, limit: int) -> list[str]:
        return sorted({c.organisation.name for c in self._open()})[:limit]

    async def themes(self, limit: int) -> list[str]:
        return sorted({t for row in self.cases.rows.values() for t in row.themes})[:limit]


def _list_row(case: Case) -> dict[str, Any]:
    work = work_deadline(case)
    return {
        "reference": case.reference,
        "organisation_name": case.organisation.name,
        "stage": case.stage.value,
        "paused": case.is_paused,
        "caseworker_id": case.caseworker.id if case.caseworker else None,
        "work_deadline_on": work.due_by if work else None,
        "work_deadline_kind": work.kind.value if work else None,
        "caseworker_name": case.caseworker.name if case.caseworker else None,
    }


class FakeStaffStore:
    def __init__(self) -> None:
        self.accounts_by_id: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.views: list[dict[str, Any]] = []
        self.templates_by_id: dict[str, dict[str, Any]] = {}

    async def account(self, account_id: str) -> dict[str, Any] | None:
        found = self.accounts_by_id.get(account_id)
        return None if found is None else dict(found)

    async def account_by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.strip().lower()
        for account in self.accounts_by_id.values():
            if (account.get("email") or "").lower() == wanted:
                return dict(account)
        return None

    async def accounts(self) -> list[dict[str, Any]]:
        return [
            dict(a)
            for a in sorted(self.accounts_by_id.values(), key=lambda a: (a["role"], a["name"]))
        ]

    async def add_account(self, **values: Any) -> None:
        # Every column is there, unset ones as NULL, as in a row read back from the table.
        columns = {column.name: None for column in staff_accounts.c}
        self.accounts_by_id[values["account_id"]] = {**columns, "failed_attempts": 0, **values}

    async def change_account(self, account_id: str, **values: Any) -> None:
        if account_id in self.accounts_by_id:
            self.accounts_by_id[account_id].update(values)

    async def add_session(
        self, *, session_hash: str, account_id: str, csrf_token: str, awaiting: bool, now: datetime
    ) -> None:
        self.sessions[session_hash] = {
            "session_hash": session_hash,
            "account_id": account_id,
            "csrf_token": csrf_token,
            "awaiting_second_factor": awaiting,
            "created_at": now,
            "last_seen_at": now,
        }

    async def session_with_account(self, session_hash: str) -> dict[str, Any] | None:
        found = self.sessions.get(session_hash)
        account = None if found is None else self.accounts_by_id.get(found["account_id"])
        if found is None or account is None:
            return None
        wanted = ("email", "name", "role", "active", "skills")
        return {**found, **{key: account.get(key) for key in wanted}}

    async def touch_session(self, session_hash: str, now: datetime) -> None:
        if session_hash in self.sessions:
            self.sessions[session_hash]["last_seen_at"] = now

    async def delete_session(self, session_hash: str) -> None:
        self.sessions.pop(session_hash, None)

    async def delete_sessions_of(self, account_id: str) -> None:
        self._delete(lambda s: s["account_id"] == account_id)

    async def delete_sessions_idle_since(self, cutoff: datetime) -> int:
        return self._delete(lambda s: s["last_seen_at"] < cutoff)

    async def delete_sessions_created_before(self, cutoff: datetime) -> int:
        return self._delete(lambda s: s["created_at"] < cutoff)

    def _delete(self, matches: Any) -> int:
        gone = [key for key, s in self.sessions.items() if matches(s)]
        for key in gone:
            del self.sessions[key]
        return len(gone)

    async def saved_views(self, account_id: str) -> list[dict[str, Any]]:
        mine = [copy.deepcopy(v) for v in self.views if v["account_id"] == account_id]
        return sorted(mine, key=lambda v: v["name"])

    async def add_saved_view(self, **values: Any) -> None:
        self.views.append(copy.deepcopy(values))

    async def delete_saved_view(self, account_id: str, view_id: str) -> None:
        self.views = [
            v for v in self.views if not (v["account_id"] == account_id and v["view_id"] == view_id)
        ]

    async def templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        kept = [dict(t) for t in self.templates_by_id.values() if not kind or t["kind"] == kind]
        return sorted(kept, key=lambda t: (t["kind"], t["name"]))

    async def template(self, template_id: str) -> dict[str, Any] | None:
        found = self.templates_by_id.get(template_id)
        return None if found is None else dict(found)

    async def put_template(self, template_id: str, **values: Any) -> None:
        self.templates_by_id.setdefault(template_id, {"template_id": template_id}).update(values)

    async def delete_template(self, template_id: str) -> None:
        self.templates_by_id.pop(template_id, None)


class FakeJournalStore:
    def __init__(self, cases: FakeCaseStore | None = None) -> None:
        self.entries: dict[str, list[JournalEntry]] = {}
        self.cases = cases

    async def last(self, reference: str) -> JournalEntry | None:
        chain = self.entries.get(reference, [])
        return chain[-1] if chain else None

    async def append(self, entry: JournalEntry) -> None:
        chain = self.entries.setdefault(entry.read.reference, [])
        if any(e.seq == entry.seq for e in chain):
            raise ValueError("this place in the chain is taken")  # the unique (reference, seq)
        chain.append(entry)

    async def chain(self, reference: str) -> list[JournalEntry]:
        return sorted(self.entries.get(reference, []), key=lambda e: e.seq)

    async def references(self) -> list[str]:
        return sorted(r for r, chain in self.entries.items() if chain)

    async def remove_with_case(self, reference: str) -> int:
        if self.cases is not None and reference in self.cases.rows:
            raise ValueError(f"case {reference} still exists; its journal is kept with it")
        return len(self.entries.pop(reference, []))


class FakeDocumentStore:
    """The documents table: rows with the name and description as given (the real store
    encrypts them)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def add(self, *, display_name: str, description: str | None, **values: Any) -> None:
        self.rows.append(
            {**values, "display_name": display_name, "description": description, "removed_at": None}
        )

    def _kept(self, reference: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["reference"] == reference and r["removed_at"] is None]

    async def case_bytes(self, reference: str) -> int:
        return sum(r["size"] for r in self._kept(reference))

    async def listing(self, reference: str) -> list[dict[str, Any]]:
        rows = sorted(self._kept(reference), key=lambda r: (r["added_at"], r["document_id"]))
        return [dict(r) for r in rows]

    async def one(self, reference: str, document_id: str) -> dict[str, Any] | None:
        found = [r for r in self._kept(reference) if r["document_id"] == document_id]
        return dict(found[0]) if found else None


@dataclass
class FakeCaseworkStores:
    staff: FakeStaffStore = field(default_factory=FakeStaffStore)
    cases: FakeCaseStore = field(init=False)
    lists: FakeWorkLists = field(init=False)
    documents: FakeDocumentStore = field(default_factory=FakeDocumentStore)

    def __post_init__(self) -> None:
        self.cases = FakeCaseStore(self.staff)
        self.lists = FakeWorkLists(self.cases)

    def as_stores(self) -> CaseworkStores:
        """The fakes where the use cases expect the real stores (they share their methods)."""
        return CaseworkStores(
            cast(CaseStore, self.cases),
            cast(WorkLists, self.lists),
            cast(StaffStore, self.staff),
            cast(DocumentStore, self.documents),
        )

    def journal(self) -> JournalStore:
        return cast(JournalStore, FakeJournalStore(self.cases))
