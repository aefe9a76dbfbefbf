"""The complaint's fields on the console's forms (a phone or letter complaint, and completing an
emailed enquiry): named by their dotted paths in intake's JSON (docs/design.md section 5), so a
posted form becomes intake's request directly and intake's 422 answer names the form's fields.

No rule is repeated here: intake validates exactly as it does the public form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from services.casework.console.session import text

SECTORS = (
    ("health", "Health (the NHS in England)"),
    ("parliamentary", "Parliamentary (a UK government department or agency)"),
    ("other", "Other"),
)
CONTACT = (("email", "Email"), ("sms", "Text message"), ("phone", "Phone"), ("letter", "Letter"))
CHANNELS = (("phone", "By phone"), ("letter", "By letter"))
DATE_HINT = "For example, 2026-06-01"


@dataclass(frozen=True)
class ComplaintField:
    name: str  # the dotted path in intake's JSON
    label: str
    kind: str = "text"  # text, textarea, date, radios
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return "complaint-" + self.name.replace(".", "-")


FIELDS = (
    ComplaintField("complainant.name", "Complainant's full name"),
    ComplaintField("complainant.email", "Email address", hint="Optional"),
    ComplaintField("complainant.phone", "Phone number", hint="Optional"),
    ComplaintField("complainant.address", "Postal address", "textarea", hint="Optional"),
    ComplaintField(
        "complainant.preferred_contact", "How to contact them", "radios", options=CONTACT
    ),
    ComplaintField("organisation.name", "Organisation complained about"),
    ComplaintField("organisation.sector", "Type of organisation", "radios", options=SECTORS),
    ComplaintField("summary", "What happened", "textarea"),
    ComplaintField("desired_outcome", "Outcome wanted", "textarea"),
    ComplaintField("impact", "How it affected them", "textarea", hint="Optional"),
    ComplaintField("first_aware_on", "When they found out", "date", hint=DATE_HINT),
    ComplaintField(
        "complained_to_organisation_on",
        "When they complained to the organisation",
        "date",
        hint=f"Optional. {DATE_HINT}",
    ),
    ComplaintField(
        "organisation_response_on",
        "When the organisation replied",
        "date",
        hint=f"Optional. {DATE_HINT}",
    ),
    ComplaintField(
        "reason_for_delay",
        "Why they could not complain sooner",
        "textarea",
        hint="Only if they found out more than 12 months ago",
    ),
)
CHANNEL_FIELD = ComplaintField(
    "channel", "How the complaint reached us", "radios", options=CHANNELS
)
_BY_NAME = {f.name: f for f in (*FIELDS, CHANNEL_FIELD)}


def to_request(form: FormData, *, with_channel: bool) -> dict[str, Any]:
    """The posted fields as intake's nested JSON; blank answers are left out."""
    payload: dict[str, Any] = {}
    for field in (*FIELDS, CHANNEL_FIELD) if with_channel else FIELDS:
        value = text(form, field.name)
        if not value:
            continue
        *parents, leaf = field.name.split(".")
        node = payload
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    payload.setdefault("complainant", {})
    payload.setdefault("organisation", {})
    return payload


def posted_from(payload: dict[str, Any]) -> dict[str, str]:
    """A request (what intake read from a mail) as the form's values, to prefill it."""
    posted: dict[str, str] = {}
    for name in _BY_NAME:
        node: Any = payload
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            posted[name] = node
    return posted


def errors_from(fields: list[dict[str, str]]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Intake's field errors as the error summary (linking to the fields) and per field."""
    summary: list[dict[str, str]] = []
    by_id: dict[str, str] = {}
    for problem in fields:
        name, message = str(problem.get("field", "")), str(problem.get("message", ""))
        known = _BY_NAME.get(name) or _BY_NAME.get(name.split(".")[0] + ".name")
        anchor = known.id if known else FIELDS[0].id
        summary.append({"text": message, "href": f"#{anchor}"})
        by_id.setdefault(anchor, message)
    return summary, by_id
