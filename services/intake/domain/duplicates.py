"""Spotting a resubmission: the same person, the same organisation, a similar account, soon after.

A match is a hint for the caseworker (`duplicate_of`), never a reason to refuse a complaint.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Any

from services.intake.domain.rules import DEFAULT_RULES, IntakeRules

# The outward and inward parts of a UK postcode, spaces optional ("SW1A 1AA", "m11ae").
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Case-, width- and spacing-insensitive form for comparisons only (never for storage)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def extract_postcode(address: str | None) -> str | None:
    if not address:
        return None
    matches = _UK_POSTCODE.findall(address)
    if not matches:
        return None
    outward, inward = matches[-1]  # the postcode is normally the last line of an address
    return f"{outward}{inward}".upper()


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """What we compare to spot a resubmission. `phone` is E.164 and `email` already validated."""

    reference: str
    received_at: datetime
    name: str
    organisation_name: str
    summary: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None

    @classmethod
    def of_record(
        cls, reference: str, received_at: datetime, record: Mapping[str, Any]
    ) -> DuplicateKey:
        """The key of a stored complaint, from its `Complaint.record()`."""
        complainant = record["complainant"]
        return cls(
            reference=reference,
            received_at=received_at,
            name=complainant["name"],
            organisation_name=record["organisation"]["name"],
            summary=record["summary"],
            email=complainant.get("email"),
            phone=complainant.get("phone"),
            address=complainant.get("address"),
        )


def _same_person(a: DuplicateKey, b: DuplicateKey) -> bool:
    if a.email and b.email and a.email.casefold() == b.email.casefold():
        return True
    if a.phone and b.phone and a.phone == b.phone:
        return True
    postcode = extract_postcode(a.address)
    return (
        postcode is not None
        and postcode == extract_postcode(b.address)
        and normalise_text(a.name) == normalise_text(b.name)
    )


def summary_similarity(a: str, b: str, compare_chars: int) -> float:
    left = normalise_text(a)[:compare_chars]
    right = normalise_text(b)[:compare_chars]
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def likely_duplicate(
    new: DuplicateKey,
    recent: Iterable[DuplicateKey],
    now: datetime,
    rules: IntakeRules = DEFAULT_RULES,
) -> str | None:
    """The reference of the closest earlier complaint this one probably repeats, if any.

    Same person, same organisation, a similar account, within the window. A match is a hint
    for the caseworker (`duplicate_of`), never a reason to refuse the complaint.
    """
    window_starts = now - timedelta(days=rules.duplicate_window_days)
    organisation = normalise_text(new.organisation_name)
    best: tuple[float, datetime, str] | None = None
    for earlier in recent:
        if earlier.reference == new.reference:
            continue
        if not window_starts <= earlier.received_at <= now:
            continue
        if normalise_text(earlier.organisation_name) != organisation:
            continue
        if not _same_person(new, earlier):
            continue
        score = summary_similarity(new.summary, earlier.summary, rules.duplicate_compare_chars)
        if score < rules.duplicate_similarity_threshold:
            continue
        candidate = (score, earlier.received_at, earlier.reference)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return None if best is None else best[2]
