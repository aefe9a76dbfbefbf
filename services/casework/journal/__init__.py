"""Who looked at a case (issue 14 part 4): record a staff read before it is shown, read a case's
journal back for managers with the chain's verdict, and verify chains (`python -m
services.casework.journal check`)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.casework.domain.journal import StaffRead, first_broken, next_entry
from services.casework.journal.store import JournalStore
from shared.kit.work import UnitOfWork

__all__ = ["JournalStore", "JournalWork", "StaffRead", "access_log", "record_read"]

# The journal's unit of work: its one store, bound to a transaction (shared/kit/work.py).
JournalWork = UnitOfWork[JournalStore]

# Two staff reading the same case at the same instant race for the same place in its chain; the
# unique (reference, seq) lets one win and the other append after it. A handful of tries is
# plenty for people reading pages.
APPEND_ATTEMPTS = 5


async def record_read(uow: JournalWork, read: StaffRead) -> None:
    """Append the read to the case's chain, in its own committed transaction, before the caller
    shows anything: a read that cannot be recorded fails rather than goes unrecorded."""
    for attempt in range(APPEND_ATTEMPTS):
        try:
            async with uow.transaction() as work:
                store = work.stores
                await store.append(next_entry(read, await store.last(read.reference)))
            return
        except IntegrityError:
            if attempt == APPEND_ATTEMPTS - 1:
                raise


async def access_log(uow: JournalWork, reference: str) -> dict[str, Any]:
    async with uow.reading() as store:
        entries = await store.chain(reference)
    broken = first_broken(entries)
    return {
        "reference": reference,
        "chain": {
            "intact": broken is None,
            "first_broken_seq": None if broken is None else broken.seq,
            "reason": None if broken is None else broken.reason,
        },
        "entries": [
            {
                "seq": e.seq,
                "at": e.read.at.astimezone(UTC),
                "actor": {"id": e.read.actor_id, "name": e.read.actor_name},
                "role": e.read.role,
                "route": e.read.route,
                "seen": list(e.read.seen),
                "prev_hash": e.prev_hash,
                "hash": e.entry_hash,
            }
            for e in entries
        ],
    }
