"""The directory of organisations in jurisdiction: what a public event may name a body by.

A complainant types the organisation's name, and what they type can be anything (a doctor's
name, an email address, a phone number). Public events must never carry it: they name a body
only by its directory entry (`id` and official name), or as `unlisted` until staff confirm the
body (docs/design.md section 9). This module is pure: the entries, the seed file's reader, and
matching what was typed to an entry. Intake owns the directory at run time (its database, seeded
from `organisations.csv` beside this file); casework reads entries through intake's API.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from shared.events import Organisation, Sector

SEED_FILE = Path(__file__).parent / "organisations.csv"

# An entry's id: an NHS ODS code (3 to 6 characters) or an `org-` id; 40 leaves room for both.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"

# What a public event names a body the directory does not (yet) know.
UNLISTED = "unlisted"

# The most suggestions the form offers for one query: a short list a person can scan
# (GOV.UK's autocomplete pattern shows a handful, not the whole register).
MAX_SUGGESTIONS = 10

# Words that do not tell one body from another when matching ("the", "&" as "and").
_NOISE = frozenset({"the"})


class Nation(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"
    UK = "uk"


class Scheme(StrEnum):
    """Where an entry's id comes from: an NHS ODS code, or an id this service gave it."""

    ODS = "ods"
    REDRESS = "redress"


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    sector: Sector
    nation: Nation
    scheme: Scheme
    aliases: tuple[str, ...] = ()

    def organisation(self) -> Organisation:
        """How public events name this body: its id and official name, nothing typed."""
        return Organisation(id=self.id, name=self.name, sector=self.sector)

    def match_keys(self) -> set[str]:
        return {match_key(name) for name in (self.name, *self.aliases)}


def match_key(text: str) -> str:
    """`text` as matching compares it: case, accents, punctuation and spacing ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c)).replace("&", " and ")
    words = re.sub(r"[^\w]+", " ", letters).split()
    return " ".join(word for word in words if word not in _NOISE)


class Directory:
    """The entries, with look-ups by id and by what a complainant typed."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_id = {entry.id: entry for entry in entries}
        self._by_key = {key: entry for entry in self._by_id.values() for key in entry.match_keys()}

    @property
    def entries(self) -> list[Entry]:
        return sorted(self._by_id.values(), key=lambda entry: entry.name.casefold())

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def match(self, typed: str) -> Entry | None:
        """The entry whose official name or alias is what was typed (ignoring case, spacing and
        punctuation), else None: a near miss stays unlisted for staff to confirm."""
        key = match_key(typed)
        return self._by_key.get(key) if key else None

    def suggest(self, query: str, limit: int = MAX_SUGGESTIONS) -> list[Entry]:
        """Entries with a word starting with each word of `query`, exact matches first."""
        wanted = match_key(query).split()
        if not wanted:
            return []
        found = [entry for entry in self.entries if _covers(entry, wanted)]
        exact = self.match(query)
        if exact is not None and exact in found:
            found.remove(exact)
            found.insert(0, exact)
        return found[:limit]


def _covers(entry: Entry, wanted: list[str]) -> bool:
    for name in (entry.name, *entry.aliases):
        words = match_key(name).split()
        if all(any(word.startswith(part) for word in words) for part in wanted):
            return True
    return False


def read_seed(path: Path = SEED_FILE) -> list[Entry]:
    """The entries of a seed file (CSV with `#` comment lines; see organisations.csv)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [
            Entry(
                id=row["id"].strip(),
                name=row["name"].strip(),
                sector=Sector(row["sector"].strip()),
                nation=Nation(row["nation"].strip()),
                scheme=Scheme(row["scheme"].strip()),
                aliases=tuple(a.strip() for a in (row["aliases"] or "").split(";") if a.strip()),
            )
            for row in rows
        ]
