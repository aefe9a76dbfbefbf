"""Organisations investigated: their survey contact (docs/reference/domain-rules.md §3, the OWI
survey)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import email_validator

# Organisation names reach us as typed into the complaint form, so the contact is looked up by
# a normalised key: "Leeds  City council " and "Leeds City Council" are one organisation.
ORGANISATION_NAME_MAX_CHARS = 200


def organisation_key(name: str) -> str:
    """The lookup key for an organisation's name: words casefolded, whitespace collapsed."""
    key = " ".join(name.split()).casefold()
    if not key:
        raise ValueError("An organisation needs a name.")
    if len(key) > ORGANISATION_NAME_MAX_CHARS:
        raise ValueError(
            f"An organisation name has at most {ORGANISATION_NAME_MAX_CHARS} characters."
        )
    return key


class InvalidContactError(ValueError):
    """The organisation's contact address cannot be used; the message says why."""


def contact_email(address: str) -> str:
    """The address in its normalised form (domain lower-cased, Unicode normalised). Syntax only:
    no DNS look-up here (pure), a bounce tells us later that a well-formed address is wrong."""
    try:
        checked = email_validator.validate_email(address.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise InvalidContactError(str(error)) from error
    return str(checked.normalized)


@dataclass(frozen=True)
class OrganisationContact:
    organisation: str
    email: str
    updated_at: datetime
    updated_by: str
