"""Plain-English field errors: one message per field that names it the way the form does, for
the API's 422 answers, the form's error summary and the email channel's questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

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
    "organisation.id": _FieldText(
        "The organisation from our list", "Choose the organisation from the list"
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

# Sentence patterns: the Welsh pages find their Welsh by them (shared/kit/sentences.py).
ERROR_TEMPLATES: Final[dict[str, str]] = {
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
    "string_pattern_mismatch": "{label} is not one we know: choose it from the list",
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
    template = ERROR_TEMPLATES.get(error_type)
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
