"""The access journal's hash chain: intact when untouched; a removed, edited or replaced entry is
found and named."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta, timezone

from services.casework.domain.journal import (
    GENESIS,
    JournalEntry,
    StaffRead,
    digest,
    first_broken,
    next_entry,
)

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def a_chain(length: int) -> list[JournalEntry]:
    entries: list[JournalEntry] = []
    for n in range(length):
        read = StaffRead(
            "RDR-2026-CHAIN1",
            f"cw-{n}",
            f"Person {n}",
            "caseworker",
            START + timedelta(minutes=n),
            "GET /v1/cases/{reference}",
            ("case", "complaint"),
        )
        entries.append(next_entry(read, entries[-1] if entries else None))
    return entries


def test_an_untouched_chain_is_intact_and_starts_at_genesis() -> None:
    chain = a_chain(4)
    assert chain[0].prev_hash == GENESIS
    assert [e.seq for e in chain] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(chain))
    assert first_broken(chain) is None


def test_a_removed_entry_is_named() -> None:
    chain = a_chain(4)
    broken = first_broken([chain[0], chain[2], chain[3]])
    assert broken is not None
    assert broken.seq == 3
    assert "expected entry 2" in broken.reason


def test_an_edited_entry_is_named() -> None:
    chain = a_chain(4)
    edited_read = dataclasses.replace(chain[1].read, actor_name="Someone else")
    chain[1] = dataclasses.replace(chain[1], read=edited_read)
    broken = first_broken(chain)
    assert broken is not None
    assert broken.seq == 2
    assert "do not match" in broken.reason


def test_an_entry_rehashed_after_editing_breaks_the_link_after_it() -> None:
    chain = a_chain(3)
    edited = dataclasses.replace(chain[1].read, seen=("case",))
    chain[1] = JournalEntry(2, edited, chain[1].prev_hash, digest(edited, 2, chain[1].prev_hash))
    broken = first_broken(chain)
    assert broken is not None
    assert broken.seq == 3
    assert "does not link" in broken.reason


def test_the_hash_does_not_depend_on_the_time_zone_it_was_read_in() -> None:
    read = a_chain(1)[0].read
    elsewhere = dataclasses.replace(read, at=read.at.astimezone(timezone(timedelta(hours=1))))
    assert digest(read, 1, GENESIS) == digest(elsewhere, 1, GENESIS)
