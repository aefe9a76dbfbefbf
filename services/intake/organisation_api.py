"""The directory's routes (docs/design.md section 9): `GET /v1/organisations?q=` (public: the
form's suggestions, official names only), `GET /v1/organisations/{id}` (public: one entry, what
casework's staff confirm an unlisted body against) and `PUT /v1/organisations/{id}` (admins and
managers add or correct an entry)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.intake.api import (
    DIRECTORY,
    _json_body,
    _validation_problem,
    json_body_openapi,
    problem,
)
from services.intake.domain.values import Name
from services.intake.organisations import OrganisationDirectory
from shared.app import request_now
from shared.auth import Role, StaffUser, staff_auth
from shared.directory import ID_PATTERN, Entry, Nation, Scheme
from shared.events import Sector

# A query longer than any official name cannot match one; the bound keeps the work small.
MAX_QUERY_LENGTH = 200
# Aliases an entry may have: its abbreviations and former or Welsh names, a handful at most.
MAX_ALIASES = 10

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])
EntryId = Annotated[str, Path(pattern=ID_PATTERN)]
Editor = Annotated[StaffUser, Depends(staff_auth(Role.ADMIN, Role.MANAGER))]


class EntryRequest(BaseModel):
    """`PUT /v1/organisations/{id}` body."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: Name
    sector: Sector
    nation: Nation
    scheme: Scheme
    aliases: list[Name] = Field(default_factory=list, max_length=MAX_ALIASES)


def _public(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "sector": entry.sector.value,
        "nation": entry.nation.value,
        "scheme": entry.scheme.value,
        "aliases": list(entry.aliases),
    }


@router.get("")
async def suggest(
    directory: Annotated[OrganisationDirectory, Depends(DIRECTORY)],
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
) -> dict[str, Any]:
    """The entries whose names have words starting with each word of `q` (at most 10)."""
    return {"organisations": [_public(entry) for entry in await directory.suggest(q)]}


@router.get("/{entry_id}")
async def get_entry(
    entry_id: EntryId, directory: Annotated[OrganisationDirectory, Depends(DIRECTORY)]
) -> Response:
    entry = await directory.get(entry_id)
    if entry is None:
        return problem(404, [{"field": "id", "message": "No organisation has this id."}])
    return JSONResponse(_public(entry))


@router.put(
    "/{entry_id}",
    openapi_extra=json_body_openapi(EntryRequest),
    responses={201: {"description": "Added"}, 200: {"description": "Corrected"}},
)
async def put_entry(
    entry_id: EntryId,
    request: Request,
    staff: Editor,
    directory: Annotated[OrganisationDirectory, Depends(DIRECTORY)],
) -> Response:
    """Add (201) or correct (200) an entry; 422 naming the field for bad input."""
    try:
        body = EntryRequest.model_validate(await _json_body(request))
    except ValidationError as error:
        return _validation_problem(error)
    entry = Entry(
        id=entry_id,
        name=body.name,
        sector=body.sector,
        nation=body.nation,
        scheme=body.scheme,
        aliases=tuple(body.aliases),
    )
    created = await directory.put(entry, by=staff.sub, now=request_now(request))
    return JSONResponse(_public(entry), status_code=201 if created else 200)
