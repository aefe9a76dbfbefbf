"""The no-JavaScript HTML forms' fields, mapped onto the JSON shape the API takes, so a form post
is validated by exactly the same models as an API call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

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
# The file input (multipart, `multiple`): documents sent with the complaint, checked and kept by
# documents.py; never part of the JSON payload.
DOCUMENTS_FIELD: Final = "documents"
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
    # The directory entry chosen from the list; "not in this list" (empty) leaves it out.
    if (chosen := _scalar(form, "organisation.id")) is not None:
        flat["organisation.id"] = chosen
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
