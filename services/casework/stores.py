"""Casework's stores, bundled for the unit of work (shared/kit/work.py).

`CaseworkStores` is what a use case is handed, bound to one transaction; tests/kit/fakes/casework.py
has the in-memory stores the use-case unit tests run on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.case_queries import WorkLists
from services.casework.document_store import DocumentStore
from services.casework.staff_store import StaffStore
from services.casework.store import CaseStore
from shared.crypto import Cipher


@dataclass(frozen=True)
class CaseworkStores:
    """The cases (with their messages, comments and the roster), the work lists' queries, the
    staff accounts and the cases' documents."""

    cases: CaseStore
    lists: WorkLists
    staff: StaffStore
    documents: DocumentStore


def casework_stores(cipher: Cipher) -> Callable[[AsyncSession], CaseworkStores]:
    """How the unit of work binds casework's stores to a session."""
    return lambda session: CaseworkStores(
        CaseStore(session, cipher),
        WorkLists(session),
        StaffStore(session),
        DocumentStore(session, cipher),
    )
