"""The bodies casework's HTTP API takes (docs/design.md §5): validated strictly, each error
naming its field; free text and names by the shared text rules (shared/text.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    TypeAdapter,
)

from services.casework.domain import Command, ReviewGround
from shared.events import Sector
from shared.openapi import COMPONENTS
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


def actions_openapi() -> dict[str, Any]:
    """`POST /v1/cases/{reference}/actions` takes one command: a union tagged by `action`
    (the domain's `Command`), each member requiring its tag."""
    schema = TypeAdapter(Command).json_schema(ref_template=COMPONENTS + "{model}")
    for member in schema.get("$defs", {}).values():
        if "action" in member.get("properties", {}):
            member["required"] = sorted({*member.get("required", []), "action"})
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "x-redress-errors": ["409"],
    }


# What `GET /v1/caseworkers` answers: the roster, each with their open cases.
ROSTER_OPENAPI: dict[str, Any] = {
    "x-redress-body": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "caseworker_id": {"type": "string"},
                "name": {"type": "string"},
                "sectors": {"type": "array", "items": {"type": "string"}},
                "active": {"type": "boolean"},
                "open_cases": {"type": "integer", "minimum": 0},
            },
            "required": ["caseworker_id", "name", "sectors", "active", "open_cases"],
        },
    }
}

# A complainant's action can meet a case that changed or moved on (409).
CONFLICT_OPENAPI: dict[str, Any] = {"x-redress-errors": ["409"]}
