"""Staff confirm an unlisted body (issue 13 item 6): the entry comes from intake's directory,
looked up here before the command reaches the case, so the name published is the directory's,
never one the caller sent. The JSON API and the console both come this way."""

from __future__ import annotations

from fastapi import HTTPException

from services.casework.domain import Command, ConfirmOrganisation
from services.casework.intake_client import IntakeClient, IntakeUnavailableError, directory_entry

UNKNOWN_ENTRY = "No organisation in the directory has this id."
NOT_ANSWERING = "The directory of organisations is not answering. Try again."


class UnknownEntryError(Exception):
    """`organisation_id` names no entry of intake's directory."""


async def resolved(command: Command, intake: IntakeClient) -> Command:
    """`command`, a `confirm_organisation` one with its entry from the directory. Raises
    UnknownEntryError, or IntakeUnavailableError when intake does not answer."""
    if not isinstance(command, ConfirmOrganisation):
        return command
    entry = await directory_entry(intake, command.organisation_id)
    if entry is None:
        raise UnknownEntryError
    return command.model_copy(update={"entry": entry})


async def with_directory_entry(command: Command, intake: IntakeClient) -> Command:
    """`resolved` for the JSON API: 422 naming `organisation_id`, or 503."""
    try:
        return await resolved(command, intake)
    except IntakeUnavailableError:
        raise HTTPException(503, {"error": NOT_ANSWERING}) from None
    except UnknownEntryError:
        raise HTTPException(
            422,
            {
                "error": "The request has problems; see fields.",
                "fields": [{"field": "organisation_id", "message": UNKNOWN_ENTRY}],
            },
        ) from None
