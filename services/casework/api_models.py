"""The bodies casework's HTTP API takes (docs/design.md §5): validated strictly, each error
naming its field; free text and names by the shared text rules (shared/text.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
)

from services.casework.domain import ReviewGround
from shared.events import Sector
from shared.text import multi_line, single_line

# Free text from complainants: generous, but bounded.
MAX_TEXT = 10_000
# A caseworker's name: the same bound as a complainant's name (intake's NAME_MAX).
NAME_MAX = 200
# Each known sector at most twice: room for a client that repeats one, not for a flood.
MAX_SECTORS_LISTED = 2 * len(Sector)
# Text a complainant writes: stripped, and clean by the shared rules (no control characters
# but line breaks and tabs, no invisible ones, no unpaired surrogates the database cannot store).
FreeText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(multi_line),
]


class CommentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comments: FreeText


class ReviewRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grounds: list[ReviewGround] = Field(min_length=1)
    reason: FreeText


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: FreeText


class DraftDateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    send_on: date


def _distinct(sectors: list[Sector]) -> list[Sector]:
    return list(dict.fromkeys(sectors))


class CaseworkerIn(BaseModel):
    # Strict: `"active": 0` or `"yes"` is refused, not coerced. hide_input_in_errors: a
    # caseworker's name is personal data and never echoed in an error or a log.
    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
    # A person's name, by the same text rules as a complainant's (shared/text.py): one line, no
    # control, invisible or bidi-override characters, no unpaired surrogates.
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
        AfterValidator(single_line),
    ]
    # Sectors from the known list (strict mode still takes the enum's string values from JSON),
    # each once.
    sectors: Annotated[
        list[Annotated[Sector, Strict(False)]],
        Field(min_length=1, max_length=MAX_SECTORS_LISTED),
        AfterValidator(_distinct),
    ]
    active: StrictBool = True
