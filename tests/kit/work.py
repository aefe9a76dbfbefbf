"""The in-memory unit of work use-case unit tests run on (shared/kit/work.py is the real one).

After cosmicpython's FakeUnitOfWork: the stores are in-memory fakes (tests/kit/fakes/), events
a use case emits are kept in `emitted` once its transaction ends, and `commits` counts the
transactions that ended well. Nothing is rolled back: a test of a failing use case checks what it
left behind.

    uow = FakeUnitOfWork(FakeIntakeStores())
    await ComplaintIntake(uow, rules).submit(complaint, idempotency_key=None, now=NOW)
    [event] = uow.emitted_payloads(ComplaintReceived)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shared.events import Payload
from shared.topics import Topic

S = TypeVar("S")
P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class Emitted:
    topic: Topic
    payload: Payload
    subject: str
    ce_type: str | None


@dataclass
class FakeWork(Generic[S]):
    """One transaction on the fake stores; what it emits is kept until it commits."""

    stores: S
    emitted: list[Emitted] = field(default_factory=list)
    callbacks: list[Callable[[], None]] = field(default_factory=list)

    async def emit(
        self, topic: Topic, payload: Payload, *, subject: str, ce_type: str | None = None
    ) -> None:
        self.emitted.append(Emitted(topic, payload, subject, ce_type))

    def after_commit(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def commit(self) -> None:
        """What the real transaction's commit does for the outside world: run the callbacks."""
        for callback in self.callbacks:
            callback()
        self.callbacks.clear()

    def payloads(self, kind: type[P]) -> list[P]:
        return [e.payload for e in self.emitted if isinstance(e.payload, kind)]


class FakeUnitOfWork(Generic[S]):
    def __init__(self, stores: S) -> None:
        self.stores = stores
        self.emitted: list[Emitted] = []
        self.commits = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeWork[S]]:
        work = FakeWork(self.stores)
        yield work
        self.emitted.extend(work.emitted)
        self.commits += 1
        work.commit()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[S]:
        yield self.stores

    def emitted_payloads(self, kind: type[P]) -> list[P]:
        """The payloads of type `kind` emitted by committed transactions, in order."""
        return [e.payload for e in self.emitted if isinstance(e.payload, kind)]
