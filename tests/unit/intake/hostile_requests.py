"""Malformed and hostile `POST /v1/complaints` bodies, shared by unit and integration tests.

`HOSTILE_REQUESTS`: every body must be refused (422 over HTTP, never 5xx). Each label starts with
the dotted field the error must name, then a colon: "complainant.email: no @ sign". `body`
means the request as a whole.

`INERT_BUT_NASTY`: valid complaints whose text *looks* like an attack (SQL, HTML, template
syntax, odd but legitimate Unicode). They must be accepted and stored and shown verbatim,
never executed or rejected.

Dates are relative to `TODAY`; pass `context={"today": TODAY}` when validating.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

TODAY = date(2026, 3, 16)
MEGABYTE = 1024 * 1024

VALID_COMPLAINT: dict[str, Any] = {
    "complainant": {
        "name": "Jo Bloggs",
        "email": "jo.bloggs@example.com",
        "phone": "07911 123456",
        "address": "1 High Street\nLeeds\nLS1 1AA",
        "preferred_contact": "email",
        "reasonable_adjustments": ["large_print"],
        "language": "en",
    },
    "organisation": {"name": "Leeds Teaching Hospitals NHS Trust", "sector": "health"},
    "summary": "The ward lost my mother's medication list twice during her stay.",
    "desired_outcome": "An apology and a change to how medication lists are handed over.",
    "impact": "She missed two doses and was very distressed.",
    "first_aware_on": "2025-11-02",
    "complained_to_organisation_on": "2025-11-10",
    "organisation_response_on": "2026-01-20",
    "mp_referral": False,
    "needs_support": False,
    "channel": "web",
}


def valid_complaint() -> dict[str, Any]:
    return copy.deepcopy(VALID_COMPLAINT)


def _with(path: str, value: Any) -> dict[str, Any]:
    body = valid_complaint()
    *parents, leaf = path.split(".")
    node = body
    for parent in parents:
        node = node[parent]
    node[leaf] = value
    return body


def _without(path: str) -> dict[str, Any]:
    body = valid_complaint()
    *parents, leaf = path.split(".")
    node = body
    for parent in parents:
        node = node[parent]
    del node[leaf]
    return body


_DROP = object()


def _complainant(**changes: Any) -> dict[str, Any]:
    body = valid_complaint()
    for key, value in changes.items():
        if value is _DROP:
            body["complainant"].pop(key, None)
        else:
            body["complainant"][key] = value
    return body


def _deep(levels: int) -> Any:
    node: Any = "bottom"
    for _ in range(levels):
        node = {"a": node}
    return node


def _iso(day: date) -> str:
    return day.isoformat()


HUGE = "A" * MEGABYTE

HOSTILE_REQUESTS: list[tuple[str, dict[str, Any] | str | list[Any] | None]] = [
    # The body as a whole
    ("body: null", None),
    ("body: a string", "I want to complain"),
    ("body: an array of complaints", [valid_complaint()]),
    ("body: an empty array", []),
    ("complainant: empty object", {}),
    # complainant
    ("complainant: missing", _without("complainant")),
    (
        "complainant: array instead of object",
        _with("complainant", [VALID_COMPLAINT["complainant"]]),
    ),
    ("complainant: string instead of object", _with("complainant", "Jo Bloggs")),
    ("complainant: null", _with("complainant", None)),
    ("complainant.name: missing", _without("complainant.name")),
    ("complainant.name: empty", _with("complainant.name", "")),
    ("complainant.name: only spaces", _with("complainant.name", "   \t ")),
    ("complainant.name: 1 MB", _with("complainant.name", HUGE)),
    ("complainant.name: 201 characters", _with("complainant.name", "J" * 201)),
    ("complainant.name: a number", _with("complainant.name", 12345)),
    ("complainant.name: a list", _with("complainant.name", ["Jo", "Bloggs"])),
    ("complainant.name: nested 100 deep", _with("complainant.name", _deep(100))),
    ("complainant.name: NUL byte", _with("complainant.name", "Jo\x00Bloggs")),
    ("complainant.name: right-to-left override", _with("complainant.name", "Jo \u202egnp.exe")),
    ("complainant.name: zero-width space", _with("complainant.name", "Jo\u200bBloggs")),
    ("complainant.name: lone surrogate", _with("complainant.name", "Jo \ud800 Bloggs")),
    ("complainant.name: line break", _with("complainant.name", "Jo\nBloggs")),
    ("complainant.name: byte order mark", _with("complainant.name", "\ufeffJo\ufeffBloggs")),
    ("complainant.name: terminal escape", _with("complainant.name", "Jo \x1b[31mBloggs")),
    ("complainant.name: DEL control", _with("complainant.name", "Jo\x7fBloggs")),
    ("complainant.name: C1 next-line control", _with("complainant.name", "Jo\x85Bloggs")),
    ("complainant.email: no @ sign", _with("complainant.email", "jo.bloggs.example.com")),
    ("complainant.email: dotless domain", _with("complainant.email", "jo@localhost")),
    ("complainant.email: two @ signs", _with("complainant.email", "jo@@example.com")),
    (
        "complainant.email: header injection",
        _with("complainant.email", "jo@example.com\nBcc: x@y.com"),
    ),
    ("complainant.email: 300 characters", _with("complainant.email", "j" * 290 + "@example.com")),
    ("complainant.email: a number", _with("complainant.email", 42)),
    ("complainant.email: HTML", _with("complainant.email", "<script>@example.com")),
    ("complainant.phone: too short", _with("complainant.phone", "123")),
    ("complainant.phone: words", _with("complainant.phone", "call me maybe")),
    ("complainant.phone: unknown country code", _with("complainant.phone", "+999 1234 5678")),
    ("complainant.phone: 41 digits", _with("complainant.phone", "0" * 41)),
    ("complainant.phone: a number not a string", _with("complainant.phone", 7911123456)),
    ("complainant.preferred_contact: pigeon", _with("complainant.preferred_contact", "pigeon")),
    ("complainant.preferred_contact: missing", _without("complainant.preferred_contact")),
    ("complainant.preferred_contact: upper case", _with("complainant.preferred_contact", "EMAIL")),
    (
        "complainant.phone: sms without a phone",
        _complainant(preferred_contact="sms", phone=_DROP),
    ),
    (
        "complainant.phone: sms to a landline",
        _complainant(preferred_contact="sms", phone="0161 496 0000"),
    ),
    (
        "complainant.phone: phone calls without a phone",
        _complainant(preferred_contact="phone", phone=_DROP),
    ),
    (
        "complainant.address: letters without an address",
        _complainant(preferred_contact="letter", address=_DROP),
    ),
    (
        "complainant.email: email without an email address",
        _complainant(preferred_contact="email", email=_DROP),
    ),
    (
        "complainant.email: no way to contact at all",
        _complainant(email=_DROP, phone=_DROP, address=_DROP),
    ),
    (
        "complainant.reasonable_adjustments: unknown",
        _with("complainant.reasonable_adjustments", ["telepathy"]),
    ),
    (
        "complainant.reasonable_adjustments: string not list",
        _with("complainant.reasonable_adjustments", "braille"),
    ),
    (
        "complainant.reasonable_adjustments: 1000 items",
        _with("complainant.reasonable_adjustments", ["braille"] * 1000),
    ),
    (
        "complainant.reasonable_adjustments: null item",
        _with("complainant.reasonable_adjustments", [None]),
    ),
    ("complainant.language: a sentence", _with("complainant.language", "english please!!")),
    ("complainant.language: underscore", _with("complainant.language", "en_GB")),
    ("complainant.language: HTML", _with("complainant.language", "<b>en</b>")),
    ("complainant.address: 1 MB", _with("complainant.address", HUGE)),
    ("complainant.address: NUL byte", _with("complainant.address", "1 High St\x00\nLS1 1AA")),
    ("complainant.is_staff: extra field", _with("complainant.is_staff", True)),
    # organisation
    ("organisation: missing", _without("organisation")),
    ("organisation: array", _with("organisation", [{"name": "x", "sector": "health"}])),
    ("organisation.name: missing", _without("organisation.name")),
    (
        "organisation.name: left-to-right isolate",
        _with("organisation.name", "NHS \u2066Trust\u2069"),
    ),
    ("organisation.sector: nhs", _with("organisation.sector", "nhs")),
    ("organisation.sector: upper case", _with("organisation.sector", "HEALTH")),
    ("organisation.sector: null", _with("organisation.sector", None)),
    ("organisation.id: extra field", _with("organisation.id", 1)),
    # free text
    ("summary: missing", _without("summary")),
    ("summary: too short", _with("summary", "help")),
    ("summary: spaces only", _with("summary", " " * 50)),
    ("summary: 1 MB", _with("summary", HUGE)),
    ("summary: a number", _with("summary", 3.14)),
    ("summary: NUL byte", _with("summary", "It all went wrong\x00 on the ward.")),
    ("summary: a list of strings", _with("summary", ["It went", "wrong"])),
    ("summary: nested 200 deep", _with("summary", _deep(200))),
    ("summary: right-to-left override", _with("summary", "Invoice \u202eTXT.exe was sent to me.")),
    ("desired_outcome: missing", _without("desired_outcome")),
    ("desired_outcome: 5001 characters", _with("desired_outcome", "x" * 5001)),
    ("desired_outcome: null", _with("desired_outcome", None)),
    ("impact: 5001 characters", _with("impact", "y" * 5001)),
    ("impact: an object", _with("impact", {"text": "bad"})),
    ("reason_for_delay: NUL byte", _with("reason_for_delay", "I was ill\x00")),
    # dates
    ("first_aware_on: missing", _without("first_aware_on")),
    ("first_aware_on: far future", _with("first_aware_on", "2999-01-01")),
    ("first_aware_on: tomorrow", _with("first_aware_on", _iso(TODAY + timedelta(days=1)))),
    ("first_aware_on: UK format", _with("first_aware_on", "27/03/2025")),
    ("first_aware_on: 30 February", _with("first_aware_on", "2025-02-30")),
    ("first_aware_on: unix timestamp", _with("first_aware_on", 1_700_000_000)),
    ("first_aware_on: date and time", _with("first_aware_on", "2025-03-27T10:00:00")),
    ("first_aware_on: 1850", _with("first_aware_on", "1850-01-01")),
    ("first_aware_on: words", _with("first_aware_on", "yesterday")),
    ("first_aware_on: empty string", _with("first_aware_on", "")),
    (
        "complained_to_organisation_on: before first aware",
        _with("complained_to_organisation_on", "2025-10-01"),
    ),
    (
        "complained_to_organisation_on: in the future",
        _with("complained_to_organisation_on", "2030-01-01"),
    ),
    (
        "organisation_response_on: before the complaint",
        _with("organisation_response_on", "2025-11-05"),
    ),
    (
        "complained_to_organisation_on: reply date without complaint date",
        _without("complained_to_organisation_on"),
    ),
    # booleans and enums
    ("mp_referral: 'yes' string", _with("mp_referral", "yes")),
    ("mp_referral: 1", _with("mp_referral", 1)),
    ("mp_referral: 'true' string", _with("mp_referral", "true")),
    ("mp_referral: null", _with("mp_referral", None)),
    ("needs_support: 'no' string", _with("needs_support", "no")),
    ("channel: staff is not public", _with("channel", "staff")),
    ("channel: carrier pigeon", _with("channel", "carrier pigeon")),
    # representative
    ("on_behalf_of: array", _with("on_behalf_of", [{"name": "Mum"}])),
    (
        "on_behalf_of.has_authority: maybe",
        _with(
            "on_behalf_of",
            {"name": "Ann Bloggs", "relationship": "mother", "has_authority": "maybe"},
        ),
    ),
    (
        "on_behalf_of.has_authority: missing",
        _with("on_behalf_of", {"name": "Ann Bloggs", "relationship": "mother"}),
    ),
    (
        "on_behalf_of.name: missing",
        _with("on_behalf_of", {"relationship": "mother", "has_authority": True}),
    ),
    (
        "on_behalf_of.relationship: 1 MB",
        _with("on_behalf_of", {"name": "Ann", "relationship": HUGE, "has_authority": True}),
    ),
    # extra fields
    ("admin: extra top-level field", _with("admin", True)),
    ("__proto__: prototype pollution key", _with("__proto__", {"admin": True})),
    ("$where: operator injection key", _with("$where", "1 == 1")),
    ("reference: caller-chosen reference", _with("reference", "RDR-2026-AAAAAA")),
    ("tracking_token: caller-chosen token", _with("tracking_token", "x" * 43)),
]


def _nasty(path: str, value: str) -> tuple[str, str, dict[str, Any]]:
    return (f"{path}: {value[:40]!r}", path, _with(path, value))


_INJECTIONS = (
    "Robert'); DROP TABLE complaints;--",
    "' OR '1'='1",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }} {% for x in range(10**9) %}{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "javascript:alert(1)",
)
_TEXT_FIELDS = (
    "complainant.name",
    "organisation.name",
    "summary",
    "desired_outcome",
    "impact",
    "complainant.address",
    "complainant.adjustment_details",
    "reason_for_delay",
)

# (label, dotted field, body): the field's stored value must equal the submitted text.
INERT_BUT_NASTY: list[tuple[str, str, dict[str, Any]]] = [
    _nasty(field, text if field != "summary" or len(text) >= 10 else text + " (summary)")
    for field in _TEXT_FIELDS
    for text in _INJECTIONS
] + [
    _nasty("complainant.name", "Zoë 🙂 Ōkubo"),
    _nasty("complainant.name", "محمد عبد الله"),
    _nasty("complainant.name", "שרה כהן"),
    _nasty("complainant.name", "Family 👨\u200d👩\u200d👧 Bloggs"),
    _nasty("complainant.name", "O'Brien-Smith, Jr."),
    _nasty("summary", "Line one\nLine two\twith a tab\nमैं हिंदी में लिख रहा हूँ"),
]
