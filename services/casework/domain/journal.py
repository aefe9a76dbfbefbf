"""The access journal's hash chain (issue 14 part 4): each entry's SHA-256 covers its own fields
and the previous entry's hash, per case, so an entry removed, edited or reordered is detectable.

Pure: the entries come in, a verdict goes out; the clock, the database and the route are the
callers'.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# The hash a case's first entry chains on: there is nothing before it.
GENESIS = "0" * 64


@dataclass(frozen=True)
class StaffRead:
    """One staff read of a case: who, in which role, when, what they saw and through which
    route. Staff are named (they are accountable); the complainant never is."""

    reference: str
    actor_id: str
    actor_name: str
    role: str
    at: datetime
    route: str
    seen: tuple[str, ...]


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    read: StaffRead
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class BrokenEntry:
    reference: str
    seq: int
    reason: str


def digest(read: StaffRead, seq: int, prev_hash: str) -> str:
    """The SHA-256 of a canonical JSON of the entry (sorted keys, UTC ISO time), so the same
    entry always hashes the same on SQLite and PostgreSQL."""
    canonical = json.dumps(
        {
            "reference": read.reference,
            "seq": seq,
            "actor_id": read.actor_id,
            "actor_name": read.actor_name,
            "role": read.role,
            "at": read.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "route": read.route,
            "seen": list(read.seen),
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_entry(read: StaffRead, last: JournalEntry | None) -> JournalEntry:
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS if last is None else last.entry_hash
    return JournalEntry(seq, read, prev_hash, digest(read, seq, prev_hash))


def first_broken(entries: Iterable[JournalEntry]) -> BrokenEntry | None:
    """The first entry of a case's chain (in seq order) that does not follow from the one
    before: a gap in the numbering (a removed entry), a hash that no longer matches its fields
    (an edited entry) or a link to a different predecessor (a replaced or reordered entry)."""
    expected_seq, expected_prev = 1, GENESIS
    for entry in entries:
        reference = entry.read.reference
        if entry.seq != expected_seq:
            return BrokenEntry(reference, entry.seq, f"expected entry {expected_seq} before it")
        if entry.prev_hash != expected_prev:
            return BrokenEntry(reference, entry.seq, "does not link to the entry before it")
        if digest(entry.read, entry.seq, entry.prev_hash) != entry.entry_hash:
            return BrokenEntry(reference, entry.seq, "its contents do not match its hash")
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash
    return None
