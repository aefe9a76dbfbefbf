"""The unit of work a use case runs in: its stores, its outgoing events, one transaction.

A use case never builds a store or opens a session itself; it is handed a `UnitOfWork` (or, when
a consumer already holds the inbox's transaction, a `Work`):

    async with uow.transaction() as work:           # one transaction: commits on leaving
        case = await work.stores.cases.load(reference)
        ...                                         # ask the domain
        await work.stores.cases.save(case)
        await work.emit(CASEWORK_CASES, event, subject=reference)   # the outbox, same commit

    async with uow.reading() as stores:             # reads only
        ...

`S` is the service's own bundle of stores (a dataclass of its store objects). The real unit of work
binds them to one SQLAlchemy session; tests/kit/work.py has the in-memory one, after
cosmicpython's FakeUnitOfWork, so every use case can be tested without a database or Kafka.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Generic, Protocol, TypeVar

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.events import Payload
from shared.messaging import Messaging
from shared.topics import Topic

S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)


class Work(Protocol[S_co]):
    """One open transaction: the stores bound to it, and the events it will publish."""

    @property
    def stores(self) -> S_co: ...

    async def emit(
        self, topic: Topic, payload: Payload, *, subject: str, ce_type: str | None = None
    ) -> None:
        """Queue an event in the outbox: it leaves only if the transaction commits."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the transaction has committed (never if it rolls back)."""
        ...


class UnitOfWork(Protocol[S_co]):
    def transaction(self) -> AbstractAsyncContextManager[Work[S_co]]:
        """A transaction: everything done through it commits together, or not at all."""
        ...

    def reading(self) -> AbstractAsyncContextManager[S_co]:
        """The stores, for reads that change nothing."""
        ...


class SqlWork(Generic[S]):
    """`Work` on a SQLAlchemy session: the service's database and its outbox table."""

    def __init__(self, session: AsyncSession, stores: S, messaging: Messaging) -> None:
        self.session = session
        self._stores = stores
        self._messaging = messaging
        self._wakes_relay = False

    @property
    def stores(self) -> S:
        return self._stores

    async def emit(
        self, topic: Topic, payload: Payload, *, subject: str, ce_type: str | None = None
    ) -> None:
        await self._messaging.emit(self.session, topic, payload, subject=subject, ce_type=ce_type)
        if not self._wakes_relay:
            # The relay publishes what this transaction queued as soon as it has committed.
            self._wakes_relay = True
            self.after_commit(self._messaging.committed)

    def after_commit(self, callback: Callable[[], None]) -> None:
        orm_event.listen(self.session.sync_session, "after_commit", lambda _: callback(), once=True)


class SqlUnitOfWork(Generic[S]):
    """The service's database: `stores(session)` binds the service's stores to one session."""

    def __init__(
        self, db: Database, messaging: Messaging, stores: Callable[[AsyncSession], S]
    ) -> None:
        self.db = db
        self.messaging = messaging
        self._stores = stores

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlWork[S]]:
        async with self.db.transaction() as session:
            yield self.joining(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[S]:
        async with self.db.sessions() as session:
            yield self._stores(session)

    def joining(self, session: AsyncSession) -> SqlWork[S]:
        """Work inside a transaction someone else opened: a consumer's, which records the event
        in the inbox in the same commit (shared/messaging.py)."""
        return SqlWork(session, self._stores(session), self.messaging)
