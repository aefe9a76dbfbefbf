"""What counts as a valid value in a complaint: names, free text, email addresses, phone numbers,
language tags and dates, as pydantic field types that name the problem in plain English.

Free text is stripped, NFC-normalised and checked for control and invisible formatting
characters; emails are checked with email-validator (no DNS lookup: validation stays offline);
phones are normalised to E.164 with phonenumbers; dates are judged against the `today` the
caller passes in the validation context (`model_validate(data, context={"today": date})`).

Text that merely *looks* dangerous (SQL, HTML, template syntax) is valid: it is stored and shown
inertly (autoescaped templates, bound parameters), never rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Final

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from shared.directory import ID_PATTERN as DIRECTORY_ID_PATTERN
from shared.text import multi_line, single_line

# --------------------------------------------------------------------------------------------
# Limits (design choices; generous enough for any real account, small enough to bound storage)
# --------------------------------------------------------------------------------------------

NAME_MAX: Final = 200
SUMMARY_MIN: Final = 10  # "ok", "see above" and the like are not a complaint yet
SUMMARY_MAX: Final = 10_000
DESIRED_OUTCOME_MAX: Final = 5_000
IMPACT_MAX: Final = 5_000
REASON_FOR_DELAY_MAX: Final = 5_000
ADDRESS_MAX: Final = 1_000
ADJUSTMENT_DETAILS_MAX: Final = 2_000
RELATIONSHIP_MAX: Final = 200
# RFC 5321 path limit; email-validator enforces it too, this just fails fast.
EMAIL_MAX: Final = 254
# Longest written form of an international number with spaces and an extension.
PHONE_MAX: Final = 40
# BCP 47 recommends tags of at most 35 characters (RFC 5646 §4.4.1).
LANGUAGE_MAX: Final = 35
# Nobody complaining now first had notice of a problem before this; it catches typos like 0205.
EARLIEST_DATE: Final = date(1900, 1, 1)
PHONE_REGION: Final = "GB"
UK_COUNTRY_CODE: Final = 44
# Ofcom's National Telephone Numbering Plan: 071-075 and 077-079 are mobile ranges (070 is
# personal numbering and 076 radiopaging, which cannot take a text).
UK_MOBILE_PREFIXES: Final = ("71", "72", "73", "74", "75", "77", "78", "79")


# --------------------------------------------------------------------------------------------
# Text hygiene
# --------------------------------------------------------------------------------------------

# The rules themselves are shared (shared/text.py): casework's roster takes names too.

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(single_line),
]
Relationship = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=RELATIONSHIP_MAX),
    AfterValidator(single_line),
]
Summary = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=SUMMARY_MIN, max_length=SUMMARY_MAX),
    AfterValidator(multi_line),
]
DesiredOutcome = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESIRED_OUTCOME_MAX),
    AfterValidator(multi_line),
]
Impact = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=IMPACT_MAX),
    AfterValidator(multi_line),
]
ReasonForDelay = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_FOR_DELAY_MAX),
    AfterValidator(multi_line),
]
# A directory entry's id (shared/directory): letters, digits and dashes, as ODS codes and org- ids.
DirectoryId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=DIRECTORY_ID_PATTERN)]
Address = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=ADDRESS_MAX),
    AfterValidator(multi_line),
]
AdjustmentDetails = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=ADJUSTMENT_DETAILS_MAX),
    AfterValidator(multi_line),
]


# --------------------------------------------------------------------------------------------
# Email, phone, language
# --------------------------------------------------------------------------------------------


def _email(value: str) -> str:
    single_line(value)
    try:
        # No DNS lookup: validation stays pure and offline. `normalized` lower-cases the domain.
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise PydanticCustomError(
            "email_invalid",
            "Enter an email address in the correct format, like name@example.com ({reason}).",
            {"reason": str(error)},
        ) from None
    return checked.normalized


def _phone(value: str) -> str:
    single_line(value)
    message = (
        "Enter a phone number, like 01632 960 001 or 07700 900 982, "
        "or an international number starting with +, like +44 808 157 0192."
    )
    try:
        parsed = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("phone_invalid", message) from None
    # Possible, not valid (the GOV.UK pattern): is_valid_number refuses Ofcom's drama ranges
    # and every range newer than the library's metadata, so real people would be turned away.
    if not phonenumbers.is_possible_number(parsed):
        raise PydanticCustomError("phone_invalid", message)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(e164: str) -> bool:
    parsed = phonenumbers.parse(e164)
    number_type = phonenumbers.number_type(parsed)
    if number_type is phonenumbers.PhoneNumberType.UNKNOWN:
        # A range the metadata does not know (drama, or newer): a UK mobile by its prefix.
        national = str(parsed.national_number)
        return parsed.country_code == UK_COUNTRY_CODE and national.startswith(UK_MOBILE_PREFIXES)
    return number_type in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


_LANGUAGE_TAG: Final = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


def _language(value: str) -> str:
    if not _LANGUAGE_TAG.fullmatch(value):
        raise PydanticCustomError(
            "language_invalid",
            "Enter a language code, like en, cy or pl (or en-GB).",
        )
    primary, _, rest = value.partition("-")
    return primary.lower() + (f"-{rest}" if rest else "")


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=EMAIL_MAX),
    AfterValidator(_email),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=PHONE_MAX),
    AfterValidator(_phone),
]
Language = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=LANGUAGE_MAX),
    AfterValidator(_language),
]


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    """Refuse what lax pydantic would coerce: timestamps, datetimes, '2025-03-27T10:00'."""
    if isinstance(value, datetime):
        raise PydanticCustomError("date_format", "Enter a date, not a date and time.")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError(
        "date_format", "Enter a real date in the format YYYY-MM-DD, like 2025-03-27."
    )


def today_from(info: ValidationInfo) -> date:
    """`today` from the caller's validation context. There is no default: what "in the past"
    means depends on the caller's clock, and a caller that forgot it is a programming error."""
    context = info.context
    if isinstance(context, Mapping):
        today = context.get("today")
        if isinstance(today, date) and not isinstance(today, datetime):
            return today
    raise RuntimeError(
        "validating a date needs today: model_validate(data, context={'today': ...})"
    )


def _past_date(value: date, info: ValidationInfo) -> date:
    if value > today_from(info):
        raise PydanticCustomError("date_in_future", "This date must be today or in the past.")
    if value < EARLIEST_DATE:
        raise PydanticCustomError(
            "date_too_early", "Check the year: this date is too far in the past."
        )
    return value


PastDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_past_date)]


def field_error(error_type: str, field: str, message: str) -> PydanticCustomError:
    """An error raised by a model validator that points at one of the model's fields."""
    return PydanticCustomError(error_type, message, {"field": field})


def check_date_order(
    first_aware_on: date,
    complained_on: date | None,
    response_on: date | None,
) -> None:
    if complained_on is not None and complained_on < first_aware_on:
        raise field_error(
            "date_order",
            "complained_to_organisation_on",
            "The date you complained to the organisation must be on or after the date you "
            "found out about the problem.",
        )
    if response_on is None:
        return
    if complained_on is None:
        raise field_error(
            "date_missing",
            "complained_to_organisation_on",
            "Enter the date you complained to the organisation, because you told us when "
            "they replied.",
        )
    if response_on < complained_on:
        raise field_error(
            "date_order",
            "organisation_response_on",
            "The date the organisation replied must be on or after the date you complained "
            "to them.",
        )
