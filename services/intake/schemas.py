"""Intake HTTP models (docs/design.md §5, a contract): `POST /v1/complaints` and
`POST /v1/eligibility`.

Validation is strict and every error names its field: unknown fields are refused, free text is
stripped, NFC-normalised and checked for control and invisible formatting characters, emails are
checked with email-validator, phones are normalised to E.164 with phonenumbers, and dates are
checked against `today` from the validation context (`model_validate(data, context={"today":
date})`). `errors_by_field` turns a `ValidationError` into plain-English messages, and
`form_to_complaint_payload` maps the no-JavaScript HTML form onto the JSON shape.

Text that merely *looks* dangerous (SQL, HTML, template syntax) is valid: it is stored and shown
inertly (autoescaped templates, bound parameters), never rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.intake.domain import AdvocacyService, DuplicateKey, EligibilityResult
from shared.events import (
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    Organisation,
    Representative,
    Sector,
)

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


class ReasonableAdjustment(StrEnum):
    """Adjustments we can make (Equality Act 2010; the list follows
    docs/reference/domain-rules.md §4)."""

    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"
    BRAILLE = "braille"
    AUDIO = "audio"
    BSL = "bsl"
    INTERPRETER = "interpreter"
    ANOTHER_LANGUAGE = "another_language"
    MORE_TIME = "more_time"
    PLAIN_ENGLISH = "plain_english"
    PHONE_INSTEAD_OF_WRITING = "phone_instead_of_writing"
    ADVOCATE = "advocate"


REASONABLE_ADJUSTMENT_LABELS: Final[dict[ReasonableAdjustment, str]] = {
    ReasonableAdjustment.LARGE_PRINT: "Large print",
    ReasonableAdjustment.EASY_READ: "Easy Read",
    ReasonableAdjustment.BRAILLE: "Braille",
    ReasonableAdjustment.AUDIO: "Audio",
    ReasonableAdjustment.BSL: "British Sign Language (BSL)",
    ReasonableAdjustment.INTERPRETER: "An interpreter",
    ReasonableAdjustment.ANOTHER_LANGUAGE: "Information in another language",
    ReasonableAdjustment.MORE_TIME: "More time to reply to us",
    ReasonableAdjustment.PLAIN_ENGLISH: "Plain English",
    ReasonableAdjustment.PHONE_INSTEAD_OF_WRITING: "Phone calls instead of writing",
    ReasonableAdjustment.ADVOCATE: "Talking to us through an advocate",
}


class IntakeChannel(StrEnum):
    """How a complaint reached us; `staff` in `shared.events.Channel` is not a public choice."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"


# --------------------------------------------------------------------------------------------
# Text hygiene
# --------------------------------------------------------------------------------------------

# Invisible characters that reorder or hide text (Trojan Source, CVE-2021-42574) or hide
# content. ZWJ/ZWNJ (U+200C/D) stay allowed: emoji sequences and several scripts need them.
_INVISIBLE_FORMATTING: Final = frozenset(
    "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_NONCHARACTERS: Final = frozenset("\ufffe\uffff")


def _forbidden_character(text: str, *, multiline: bool) -> str | None:
    allowed_controls = {"\n", "\t"} if multiline else set()
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" and character not in allowed_controls:
            return character
        if category == "Cs" or character in _INVISIBLE_FORMATTING or character in _NONCHARACTERS:
            return character
    return None


def _clean_text(value: str, *, multiline: bool) -> str:
    if multiline:
        # Browsers submit textarea line breaks as CRLF; store one convention.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    elif "\n" in value or "\r" in value:
        raise PydanticCustomError("text_line_break", "This must be a single line of text.")
    bad = _forbidden_character(value, multiline=multiline)
    if bad is not None:
        raise PydanticCustomError(
            "text_hidden_character",
            "This contains a hidden or control character ({codepoint}). Remove it and try again.",
            {"codepoint": f"U+{ord(bad):04X}"},
        )
    return unicodedata.normalize("NFC", value)


def _single_line(value: str) -> str:
    return _clean_text(value, multiline=False)


def _multi_line(value: str) -> str:
    return _clean_text(value, multiline=True)


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(_single_line),
]
Relationship = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=RELATIONSHIP_MAX),
    AfterValidator(_single_line),
]
Summary = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=SUMMARY_MIN, max_length=SUMMARY_MAX),
    AfterValidator(_multi_line),
]
DesiredOutcome = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESIRED_OUTCOME_MAX),
    AfterValidator(_multi_line),
]
Impact = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=IMPACT_MAX),
    AfterValidator(_multi_line),
]
ReasonForDelay = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_FOR_DELAY_MAX),
    AfterValidator(_multi_line),
]
Address = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=ADDRESS_MAX),
    AfterValidator(_multi_line),
]
AdjustmentDetails = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=ADJUSTMENT_DETAILS_MAX),
    AfterValidator(_multi_line),
]


# --------------------------------------------------------------------------------------------
# Email, phone, language
# --------------------------------------------------------------------------------------------


def _email(value: str) -> str:
    _single_line(value)
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
    _single_line(value)
    message = (
        "Enter a phone number, like 01632 960 001 or 07700 900 982, "
        "or an international number starting with +, like +44 808 157 0192."
    )
    try:
        parsed = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("phone_invalid", message) from None
    if not phonenumbers.is_valid_number(parsed):
        raise PydanticCustomError("phone_invalid", message)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(e164: str) -> bool:
    number_type = phonenumbers.number_type(phonenumbers.parse(e164))
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
    """`today` from the caller's validation context; the system date only when none is given."""
    context = info.context
    if isinstance(context, Mapping):
        today = context.get("today")
        if isinstance(today, date) and not isinstance(today, datetime):
            return today
    return date.today()


def _past_date(value: date, info: ValidationInfo) -> date:
    if value > today_from(info):
        raise PydanticCustomError("date_in_future", "This date must be today or in the past.")
    if value < EARLIEST_DATE:
        raise PydanticCustomError(
            "date_too_early", "Check the year: this date is too far in the past."
        )
    return value


PastDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_past_date)]


def _field_error(error_type: str, field: str, message: str) -> PydanticCustomError:
    """An error raised by a model validator that points at one of the model's fields."""
    return PydanticCustomError(error_type, message, {"field": field})


def _check_date_order(
    first_aware_on: date,
    complained_on: date | None,
    response_on: date | None,
) -> None:
    if complained_on is not None and complained_on < first_aware_on:
        raise _field_error(
            "date_order",
            "complained_to_organisation_on",
            "The date you complained to the organisation must be on or after the date you "
            "found out about the problem.",
        )
    if response_on is None:
        return
    if complained_on is None:
        raise _field_error(
            "date_missing",
            "complained_to_organisation_on",
            "Enter the date you complained to the organisation, because you told us when "
            "they replied.",
        )
    if response_on < complained_on:
        raise _field_error(
            "date_order",
            "organisation_response_on",
            "The date the organisation replied must be on or after the date you complained "
            "to them.",
        )


# --------------------------------------------------------------------------------------------
# Request models
# --------------------------------------------------------------------------------------------


class _Request(BaseModel):
    # hide_input_in_errors: error payloads and logs must not echo personal data or 1 MB strings.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


_CONTACT_WORDS: Final = {
    ContactMethod.EMAIL: "email",
    ContactMethod.SMS: "text message",
    ContactMethod.PHONE: "phone",
    ContactMethod.LETTER: "letter",
}


def _dedupe_adjustments(values: list[ReasonableAdjustment]) -> list[ReasonableAdjustment]:
    return list(dict.fromkeys(values))


class ComplainantRequest(_Request):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    address: Address | None = None
    preferred_contact: ContactMethod
    reasonable_adjustments: Annotated[
        list[ReasonableAdjustment],
        Field(max_length=2 * len(ReasonableAdjustment)),
        AfterValidator(_dedupe_adjustments),
    ] = Field(default_factory=list)
    adjustment_details: AdjustmentDetails | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _reachable(self) -> ComplainantRequest:
        if self.email is None and self.phone is None and self.address is None:
            raise _field_error(
                "contact_missing",
                "email",
                "Enter at least one way to contact you: an email address, a phone number "
                "or a postal address.",
            )
        needed = {
            ContactMethod.EMAIL: ("email", self.email, "an email address"),
            ContactMethod.SMS: ("phone", self.phone, "a mobile phone number"),
            ContactMethod.PHONE: ("phone", self.phone, "a phone number"),
            ContactMethod.LETTER: ("address", self.address, "a postal address"),
        }
        field, value, what = needed[self.preferred_contact]
        if value is None:
            raise _field_error(
                "contact_mismatch",
                field,
                f"Enter {what}, because you asked us to contact you by "
                f"{_CONTACT_WORDS[self.preferred_contact]}.",
            )
        if self.preferred_contact is ContactMethod.SMS and not can_receive_sms(value):
            raise _field_error(
                "contact_mismatch",
                "phone",
                "Enter a mobile phone number, because you asked us to contact you by text message.",
            )
        return self


class RepresentativeRequest(_Request):
    """The person the complainant is complaining for (HSCA 1993 s9(3))."""

    name: Name
    relationship: Relationship
    has_authority: StrictBool


class OrganisationRequest(_Request):
    name: Name
    sector: Sector


class ComplaintRequest(_Request):
    """`POST /v1/complaints` body (docs/design.md §5)."""

    complainant: ComplainantRequest
    on_behalf_of: RepresentativeRequest | None = None
    organisation: OrganisationRequest
    summary: Summary
    desired_outcome: DesiredOutcome
    impact: Impact | None = None
    first_aware_on: PastDate
    complained_to_organisation_on: PastDate | None = None
    organisation_response_on: PastDate | None = None
    # Asked for when the complaint may be late (docs/reference/domain-rules.md §1.1: the PHSO form
    # asks for it).
    reason_for_delay: ReasonForDelay | None = None
    mp_referral: StrictBool = False
    needs_support: StrictBool = False
    channel: IntakeChannel = IntakeChannel.WEB

    @model_validator(mode="after")
    def _dates_in_order(self) -> ComplaintRequest:
        _check_date_order(
            self.first_aware_on, self.complained_to_organisation_on, self.organisation_response_on
        )
        return self

    # EligibilityFacts (services.intake.domain) ----------------------------------------------

    @property
    def sector(self) -> Sector:
        return self.organisation.sector

    @property
    def representative_has_authority(self) -> bool | None:
        return None if self.on_behalf_of is None else self.on_behalf_of.has_authority

    # Conversions ------------------------------------------------------------------------------

    def duplicate_key(self, reference: str, received_at: datetime) -> DuplicateKey:
        return DuplicateKey(
            reference=reference,
            received_at=received_at,
            name=self.complainant.name,
            organisation_name=self.organisation.name,
            summary=self.summary,
            email=self.complainant.email,
            phone=self.complainant.phone,
            address=self.complainant.address,
        )

    def to_event(
        self,
        *,
        complaint_id: str,
        reference: str,
        received_at: datetime,
        eligibility: EligibilityResult,
        tracking_token: str,
        duplicate_of: str | None = None,
    ) -> ComplaintReceived:
        """The internal `redress.complaint.received` payload for this request."""
        person = self.complainant
        complainant = Complainant(
            name=person.name,
            email=person.email,
            phone=person.phone,
            address=person.address,
            preferred_contact=person.preferred_contact,
            reasonable_adjustments=[str(item) for item in person.reasonable_adjustments],
            language=person.language,
            adjustment_details=person.adjustment_details,
        )
        representative = (
            None
            if self.on_behalf_of is None
            else Representative(
                name=self.on_behalf_of.name,
                relationship=self.on_behalf_of.relationship,
                has_authority=self.on_behalf_of.has_authority,
            )
        )
        return ComplaintReceived(
            complaint_id=complaint_id,
            reference=reference,
            received_at=received_at,
            channel=Channel(self.channel.value),
            complainant=complainant,
            on_behalf_of=representative,
            organisation=Organisation(name=self.organisation.name, sector=self.organisation.sector),
            summary=self.summary,
            desired_outcome=self.desired_outcome,
            impact=self.impact,
            first_aware_on=self.first_aware_on,
            complained_to_organisation_on=self.complained_to_organisation_on,
            organisation_response_on=self.organisation_response_on,
            mp_referral=self.mp_referral,
            needs_support=self.needs_support,
            eligibility=eligibility.flags,
            tracking_token=tracking_token,
            duplicate_of=duplicate_of,
            reason_for_delay=self.reason_for_delay,
        )


class EligibilityRequest(_Request):
    """`POST /v1/eligibility` body: just the facts the pre-check needs; nothing is stored."""

    sector: Sector
    first_aware_on: PastDate
    complained_to_organisation_on: PastDate | None = None
    organisation_response_on: PastDate | None = None
    mp_referral: StrictBool = False
    on_behalf_of_someone_else: StrictBool = False
    has_authority: StrictBool | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> EligibilityRequest:
        _check_date_order(
            self.first_aware_on, self.complained_to_organisation_on, self.organisation_response_on
        )
        return self

    @property
    def representative_has_authority(self) -> bool | None:
        if not self.on_behalf_of_someone_else:
            return None
        return self.has_authority is True


# --------------------------------------------------------------------------------------------
# Response models
# --------------------------------------------------------------------------------------------


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AdvocacyServiceOut(_Response):
    name: str
    description: str
    url: str | None = None
    phone: str | None = None

    @classmethod
    def from_domain(cls, service: AdvocacyService) -> AdvocacyServiceOut:
        return cls(
            name=service.name, description=service.description, url=service.url, phone=service.phone
        )


class EligibilityResponse(_Response):
    """`POST /v1/eligibility` answer; the flags are additive to the contract's three fields."""

    eligible: bool
    reasons: list[str]
    next_steps: list[str]
    out_of_time: bool = False
    premature: bool = False
    needs_mp_referral: bool = False
    representative_without_authority: bool = False
    parliament_dissolved: bool = False

    @classmethod
    def from_result(cls, result: EligibilityResult) -> EligibilityResponse:
        flags = result.flags
        return cls(
            eligible=result.eligible,
            reasons=list(result.reasons),
            next_steps=list(result.next_steps),
            out_of_time=flags.out_of_time,
            premature=flags.premature,
            needs_mp_referral=flags.needs_mp_referral,
            representative_without_authority=flags.representative_without_authority,
            parliament_dissolved=result.parliament_dissolved,
        )


class ComplaintAccepted(_Response):
    """`201` answer to `POST /v1/complaints` (docs/design.md §5)."""

    reference: str
    tracking_token: str
    status: Literal["received"] = "received"
    received_at: datetime
    next_steps: list[str]
    advocacy_services: list[AdvocacyServiceOut]
    eligibility: EligibilityResponse


# --------------------------------------------------------------------------------------------
# Plain-English field errors (API and the HTML error summary)
# --------------------------------------------------------------------------------------------

ROOT_FIELD: Final = "body"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str  # dotted path, e.g. "complainant.email"; "body" for the request as a whole
    message: str
    anchor: str  # "#complainant-email": the id of the form control to link to


def field_id(field: str) -> str:
    """The HTML id of a form control: `complainant.name` -> `complainant-name`."""
    if not field or field == ROOT_FIELD:
        return "complaint-form"
    return field.replace(".", "-")


@dataclass(frozen=True, slots=True)
class _FieldText:
    label: str  # used as the subject of a sentence: "{label} must be ..."
    missing: str  # what to do when it is missing


FIELD_TEXT: Final[dict[str, _FieldText]] = {
    "complainant": _FieldText("Your details", "Enter your details"),
    "complainant.name": _FieldText("Your full name", "Enter your full name"),
    "complainant.email": _FieldText("Email address", "Enter your email address"),
    "complainant.phone": _FieldText("Phone number", "Enter your phone number"),
    "complainant.address": _FieldText("Postal address", "Enter your postal address"),
    "complainant.preferred_contact": _FieldText(
        "How we should contact you", "Select how you would like us to contact you"
    ),
    "complainant.reasonable_adjustments": _FieldText(
        "Support you need", "Select the support you need"
    ),
    "complainant.adjustment_details": _FieldText(
        "More about the support you need", "Tell us more about the support you need"
    ),
    "complainant.language": _FieldText("Language", "Enter a language code"),
    "on_behalf_of": _FieldText(
        "About the person you are complaining for", "Tell us about the person"
    ),
    "on_behalf_of.name": _FieldText(
        "Their full name", "Enter the full name of the person you are complaining for"
    ),
    "on_behalf_of.relationship": _FieldText(
        "Your relationship to them", "Enter your relationship to the person"
    ),
    "on_behalf_of.has_authority": _FieldText(
        "Whether you have their permission",
        "Select whether you have permission to complain for them",
    ),
    "organisation": _FieldText("The organisation", "Tell us about the organisation"),
    "organisation.name": _FieldText(
        "The organisation's name", "Enter the name of the organisation"
    ),
    "organisation.sector": _FieldText(
        "The type of organisation", "Select the type of organisation"
    ),
    "summary": _FieldText("What happened", "Tell us what happened"),
    "desired_outcome": _FieldText("The outcome you want", "Tell us the outcome you want"),
    "impact": _FieldText("How it affected you", "Tell us how it affected you"),
    "first_aware_on": _FieldText(
        "The date you found out about the problem",
        "Enter the date you found out about the problem",
    ),
    "complained_to_organisation_on": _FieldText(
        "The date you complained to the organisation",
        "Enter the date you complained to the organisation",
    ),
    "organisation_response_on": _FieldText(
        "The date the organisation replied", "Enter the date the organisation replied"
    ),
    "reason_for_delay": _FieldText(
        "Why you could not complain sooner", "Tell us why you could not complain sooner"
    ),
    "mp_referral": _FieldText(
        "Whether an MP referred your complaint", "Select whether an MP referred your complaint"
    ),
    "needs_support": _FieldText(
        "Whether you need support", "Select whether you need support to complain"
    ),
    "channel": _FieldText("How the complaint reached us", "Select how the complaint reached us"),
    "sector": _FieldText("The type of organisation", "Select the type of organisation"),
    "on_behalf_of_someone_else": _FieldText(
        "Whether you are complaining for someone else",
        "Select whether you are complaining for someone else",
    ),
    "has_authority": _FieldText(
        "Whether you have their permission",
        "Select whether you have permission to complain for them",
    ),
    ROOT_FIELD: _FieldText("The request", "Send the complaint as a JSON object"),
}

# Errors whose pydantic message already says what to do, including which field.
_SELF_EXPLAINING: Final = frozenset(
    {
        "contact_missing",
        "contact_mismatch",
        "date_order",
        "date_missing",
        "phone_invalid",
        "language_invalid",
    }
)

_TEMPLATES: Final[dict[str, str]] = {
    "string_too_short": "{label} must be at least {min_length} characters",
    "string_too_long": "{label} must be {max_length} characters or fewer",
    "too_long": "{label} has too many items: choose at most {max_length}",
    "string_type": "{label} must be text",
    "email_invalid": "Enter an email address in the correct format, like name@example.com",
    "enum": "{label}: choose one of {expected}",
    "literal_error": "{label}: choose one of {expected}",
    "bool_type": "{label}: answer true or false (yes or no on the form)",
    "date_format": "{label} must be a real date, like 2025-03-27",
    "date_parsing": "{label} must be a real date, like 2025-03-27",
    "date_from_datetime_parsing": "{label} must be a real date, like 2025-03-27",
    "date_from_datetime_inexact": "{label} must be a real date, like 2025-03-27",
    "date_type": "{label} must be a real date, like 2025-03-27",
    "date_in_future": "{label} must be today or in the past",
    "date_too_early": "{label} is too far in the past: check the year",
    "text_line_break": "{label} must be a single line",
    "text_hidden_character": (
        "{label} contains a hidden or control character ({codepoint}): remove it and try again"
    ),
    "model_type": "{label} must be a JSON object with named fields",
    "model_attributes_type": "{label} must be a JSON object with named fields",
    "dict_type": "{label} must be a JSON object with named fields",
    "list_type": "{label} must be a list",
}


def _field_path(error: Mapping[str, Any]) -> str:
    parts = [str(part) for part in error["loc"] if not isinstance(part, int)]
    context = error.get("ctx") or {}
    if error["type"] in _SELF_EXPLAINING:
        target = context.get("field")
        if isinstance(target, str):
            parts.append(target)
    return ".".join(parts) or ROOT_FIELD


def _message(field: str, error: Mapping[str, Any]) -> str:
    error_type = str(error["type"])
    text = FIELD_TEXT.get(field)
    if error_type == "extra_forbidden":
        return f"'{field}' is not a field we use: remove it"
    blank = "input" in error and error["input"] is None and error_type not in _SELF_EXPLAINING
    if error_type == "missing" or blank:
        # The form mapping turns empty answers into None: for a required field both mean
        # "fill this in", whatever type check the None then failed.
        return text.missing if text else f"Enter {field}"
    if error_type in _SELF_EXPLAINING:
        return str(error["msg"]).rstrip(".")
    if error_type == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        return text.missing if text else f"Enter {field}"  # blank after stripping spaces
    template = _TEMPLATES.get(error_type)
    label = text.label if text else field
    if template is None:
        return f"{label}: {error['msg']}"
    values = {"label": label, **(error.get("ctx") or {})}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return f"{label}: {error['msg']}"


def errors_by_field(validation_error: ValidationError) -> list[FieldError]:
    """One plain-English message per field (first error wins), in the order fields failed."""
    seen: dict[str, FieldError] = {}
    for error in validation_error.errors(include_url=False):
        field = _field_path(error)
        if field in seen:
            continue
        seen[field] = FieldError(
            field=field, message=_message(field, error), anchor=f"#{field_id(field)}"
        )
    return list(seen.values())


# --------------------------------------------------------------------------------------------
# The HTML form -> the JSON shape
# --------------------------------------------------------------------------------------------

FormData = Mapping[str, str | list[str]]

_FORM_TEXT_FIELDS: Final = (
    "complainant.name",
    "complainant.email",
    "complainant.phone",
    "complainant.address",
    "complainant.preferred_contact",
    "complainant.adjustment_details",
    "complainant.language",
    "organisation.name",
    "organisation.sector",
    "summary",
    "desired_outcome",
    "impact",
    "reason_for_delay",
)
_FORM_LIST_FIELDS: Final = ("complainant.reasonable_adjustments",)
_FORM_DATE_FIELDS: Final = (
    "first_aware_on",
    "complained_to_organisation_on",
    "organisation_response_on",
)
_FORM_YES_NO_FIELDS: Final = ("mp_referral", "needs_support")
_REPRESENTATIVE_FIELDS: Final = ("on_behalf_of.name", "on_behalf_of.relationship")
# Radios outside the schema that only decide which form sections count.
ACTING_FOR_SOMEONE_ELSE: Final = "acting_for_someone_else"
DATE_PARTS: Final = ("day", "month", "year")
_YEAR_DIGITS: Final = 4
_DAY_MONTH_DIGITS: Final = 2


def _scalar(form: FormData, name: str) -> str | None:
    raw = form.get(name)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is None:
        return None
    stripped = raw.strip()
    return stripped or None


def _many(form: FormData, name: str) -> list[str]:
    raw = form.get(name)
    values = [raw] if isinstance(raw, str) else list(raw or [])
    return [value.strip() for value in values if value.strip()]


def _yes_no(value: str | None) -> bool | str | None:
    """'yes'/'no' radios to booleans; anything else is passed on so the schema reports it."""
    if value is None:
        return None
    return {"yes": True, "no": False}.get(value.casefold(), value)


def _form_date(form: FormData, name: str) -> str | None:
    """Join the GOV.UK three-box date into YYYY-MM-DD; odd input is passed on to fail validation."""
    day, month, year = (_scalar(form, f"{name}.{part}") for part in DATE_PARTS)
    if day is None and month is None and year is None:
        return _scalar(form, name)  # a single `<input type="date">` also works
    digits_ok = (
        day is not None
        and month is not None
        and year is not None
        and day.isdigit()
        and month.isdigit()
        and year.isdigit()
        and len(day) <= _DAY_MONTH_DIGITS
        and len(month) <= _DAY_MONTH_DIGITS
        and len(year) == _YEAR_DIGITS
    )
    if not digits_ok:
        return f"{year or ''}-{month or ''}-{day or ''}"
    return f"{year}-{int(month or 0):02d}-{int(day or 0):02d}"


def _nest(flat: Mapping[str, object]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        *parents, leaf = dotted.split(".")
        node = nested
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return nested


def form_to_complaint_payload(form: FormData) -> dict[str, Any]:
    """The complaint form's flat fields as the nested JSON `ComplaintRequest` expects.

    Empty answers become None; unknown form fields (a CSRF token, bot junk) are dropped; the
    "on behalf of" section counts only when the person said they are complaining for someone.
    """
    flat: dict[str, object] = {name: _scalar(form, name) for name in _FORM_TEXT_FIELDS}
    flat["complainant.reasonable_adjustments"] = _many(form, "complainant.reasonable_adjustments")
    for name in _FORM_DATE_FIELDS:
        flat[name] = _form_date(form, name)
    for name in _FORM_YES_NO_FIELDS:
        answer = _yes_no(_scalar(form, name))
        if answer is not None:  # absent means "no": the schema's default
            flat[name] = answer
    if _yes_no(_scalar(form, ACTING_FOR_SOMEONE_ELSE)) is True:
        for name in _REPRESENTATIVE_FIELDS:
            flat[name] = _scalar(form, name)
        flat["on_behalf_of.has_authority"] = _yes_no(_scalar(form, "on_behalf_of.has_authority"))
    return _nest(flat)


def form_to_eligibility_payload(form: FormData) -> dict[str, Any]:
    """The pre-check form's fields as the JSON `EligibilityRequest` expects."""
    payload: dict[str, Any] = {"sector": _scalar(form, "sector")}
    for name in _FORM_DATE_FIELDS:
        payload[name] = _form_date(form, name)
    for name in ("mp_referral", "on_behalf_of_someone_else", "has_authority"):
        answer = _yes_no(_scalar(form, name))
        if answer is not None:
            payload[name] = answer
    return payload
