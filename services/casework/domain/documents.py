"""Documents on a case as the public topic may describe them (issue 16): who added one, its broad
type and a size band; never its name, description, exact size or content."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final, Literal

from shared.events import DocumentAdded

from .emit import common_fields
from .model import Case

MEBIBYTE: Final = 1024 * 1024
# The bands' edges. Our choice, to say "a letter or a photo", "a scanned bundle" and "a large
# bundle" apart without an exact size, which could tell one known file from another.
SMALL_DOCUMENT_BYTES: Final = 1 * MEBIBYTE
LARGE_DOCUMENT_BYTES: Final = 10 * MEBIBYTE
UNDER_1MB: Final = "under_1mb"
ONE_TO_10MB: Final = "1_to_10mb"
OVER_10MB: Final = "over_10mb"

SizeBand = Literal["under_1mb", "1_to_10mb", "over_10mb"]
DocumentKind = Literal["pdf", "image", "word_processing", "text", "email"]


class AddedBy(StrEnum):
    COMPLAINANT = "complainant"
    STAFF = "staff"
    # The organisation's evidence, answering an evidence request (staff upload it for them).
    ORGANISATION = "organisation"
    EMAIL = "email"


def size_band(size: int) -> SizeBand:
    """The band of a document of `size` bytes: under 1 MiB, 1 MiB to 10 MiB, over 10 MiB."""
    if size < SMALL_DOCUMENT_BYTES:
        return UNDER_1MB
    if size <= LARGE_DOCUMENT_BYTES:
        return ONE_TO_10MB
    return OVER_10MB


def document_added(
    case: Case, *, kind: DocumentKind, size: int, added_by: AddedBy, now: datetime
) -> DocumentAdded:
    return DocumentAdded(
        **common_fields(case, now),
        kind=kind,
        size_band=size_band(size),
        added_by=added_by.value,
    )
