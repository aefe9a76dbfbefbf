"""Confirming which directory entry a body of the case is (issue 13 item 6).

A complaint about a body intake could not match arrives "unlisted"; staff find the body in the
directory and confirm it. The case then holds the entry (id, official name, sector) in place of
what was typed, so every later public event names it; `OrganisationConfirmed` says so now.
"""

from __future__ import annotations

from datetime import datetime

from shared.events import CaseEvent, Organisation, OrganisationConfirmed

from .commands import ConfirmOrganisation
from .emit import common_fields
from .errors import DomainRuleBroken
from .model import Case


def confirm_organisation(
    case: Case, command: ConfirmOrganisation, now: datetime
) -> list[CaseEvent]:
    entry = command.entry
    if entry is None or entry.id != command.organisation_id:
        raise DomainRuleBroken("The organisation could not be looked up in the directory.")
    body = case.organisation_named(command.organisation)
    if body is None:
        raise DomainRuleBroken("The case does not concern an organisation of that name.")
    if body.id == entry.id:
        return []  # confirmed before: nothing changes, nothing to tell
    if any(other.id == entry.id for other in case.all_organisations if other is not body):
        raise DomainRuleBroken(f"The case already concerns {entry.name}.")
    if body is case.organisation:
        case.organisation = entry
    else:
        case.organisations = [entry if o is body else o for o in case.organisations]
    _repoint_decision(case, body, entry)
    return [OrganisationConfirmed(**common_fields(case, now), confirmed=entry)]


def _repoint_decision(case: Case, body: Organisation, entry: Organisation) -> None:
    """A body confirmed after the decision: its findings and recommendations now name the entry,
    so nothing on the case still names a body the case no longer concerns."""
    for recommendation in case.recommendations:
        if recommendation.organisation == body:
            recommendation.organisation = entry
    if case.decision is not None:
        for finding in case.decision.findings:
            if finding.organisation == body:
                finding.organisation = entry
