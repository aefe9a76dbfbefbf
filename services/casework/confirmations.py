"""Staff confirm an unlisted body (issue 13 item 6): the entry comes from intake's directory,
looked up here before the command reaches the case, so the name published is the directory's,
never one the caller sent."""

from __future__ import annotations

from fastapi import HTTPException

from services.casework.domain import Command, ConfirmOrganisation
from services.casework.intake_client import IntakeClient, IntakeUnavailableError, directory_entry


async def with_directory_entry(command: Command, intake: IntakeClient) -> Command:
    """`command`, a `confirm_organisation` one with its entry from the directory; 422 naming
    `organisation_id` for an unknown entry, 503 when intake does not answer."""
    if not isinstance(command, ConfirmOrganisation):
        return command
    try:
        entry = await directory_entry(intake, command.organisation_id)
    except IntakeUnavailableError:
        raise HTTPException(
            503, {"error": "The directory of organisations is not answering. Try again."}
        ) from None
    if entry is None:
        raise HTTPException(
            422,
            {
                "error": "The request has problems; see fields.",
                "fields": [{"field": "organisation_id", "message": "No organisation has this id."}],
            },
        )
    return command.model_copy(update={"entry": entry})
