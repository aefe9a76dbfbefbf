"""Bad records for a consumer, generated from one good event of a type it applies: every way a
record can break the envelope (docs/design.md §4) or its type's published JSON Schema
(docs/contracts/schemas), each with a name saying what is wrong.

Deterministic, so a failure names a record that fails again: the headers one by one (missing,
empty, not UTF-8, wrong CloudEvents version, bad time, a data schema of another type or version),
values that are not a JSON object (tombstones, garbage, truncation, integers past the parser's
digit limit, nesting past its depth), and the data field by field (missing, null, wrong types,
huge strings and integers, deep nesting). A data mutation is kept only when the published schema
rejects it: the contract, not the consumer's code, decides what is bad.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from jsonschema import Draft202012Validator

from shared.envelope import CloudEvent
from tests.e2e.recording import payload_validator

REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_time")
# Past Python's default limit for integer digits (sys.int_info.default_max_str_digits, 4300).
HUGE_DIGITS = 5000
# Past the JSON parser's recursion limit (sys.getrecursionlimit(), 1000).
PARSER_DEPTH = 100_000
# Deep but parseable nesting inside a field, short of the recursion limit.
FIELD_DEPTH = 500
# A string far longer than any field holds, under the broker's 1 MB record limit.
HUGE_STRING = 200_000
# A header naming each bad record, copied into the DLQ with the rest of the original headers.
CASE_HEADER = "x-malformed-case"


@dataclass(frozen=True)
class BadRecord:
    case: str
    headers: list[tuple[str, bytes]]
    value: bytes | None

    def marked(self, run: str) -> list[tuple[str, bytes]]:
        return [*self.headers, (CASE_HEADER, f"{run}:{self.case}".encode())]


def bad_records(good: CloudEvent) -> list[BadRecord]:
    validator = payload_validator(good.type)
    assert validator is not None, f"no published schema for {good.type}"
    return [*header_defects(good), *value_defects(good), *data_defects(good, validator)]


def skipped_records(good: CloudEvent) -> list[BadRecord]:
    """Well-formed events of types the consumer does not apply: an unknown type, and a breaking
    `.v2` of its own (docs/design.md §4). New types are additive, so these are skipped, neither
    applied nor dead-lettered."""
    return [
        BadRecord(
            f"skipped type {ce_type}",
            replace(good, id=str(uuid.uuid4()), type=ce_type, dataschema=None).headers(),
            good.value(),
        )
        for ce_type in ("redress.no.such.event", f"{good.type}.v2")
    ]


def _fresh(good: CloudEvent) -> list[tuple[str, bytes]]:
    """The good event's headers under a new ce_id: were a bad record applied, or its id claimed,
    the good event itself must still be new to the consumer."""
    return replace(good, id=str(uuid.uuid4())).headers()


def _headers(good: CloudEvent, name: str, value: bytes | None) -> list[tuple[str, bytes]]:
    """The good event's headers with `name` set to `value` (dropped when None)."""
    kept = [(n, v) for n, v in _fresh(good) if n != name]
    return kept if value is None else [*kept, (name, value)]


def header_defects(good: CloudEvent) -> Iterator[BadRecord]:
    value = good.value()
    yield BadRecord("no headers at all", [], value)
    for name in REQUIRED_HEADERS:
        yield BadRecord(f"{name} missing", _headers(good, name, None), value)
        yield BadRecord(f"{name} empty", _headers(good, name, b""), value)
        yield BadRecord(f"{name} not UTF-8", _headers(good, name, b"\xff\xfe\xfd"), value)
    for version in ("0.3", "2.0", "1", "1.0.0", "v1.0"):
        yield BadRecord(
            f"ce_specversion {version}", _headers(good, "ce_specversion", version.encode()), value
        )
    for time in ("yesterday", "2026-13-45T00:00:00Z", "2026-06-01T25:00:00Z", "06/01/2026"):
        yield BadRecord(f"ce_time {time}", _headers(good, "ce_time", time.encode()), value)
    for schema in (f"{good.type}.v2", "redress.no.such.event", "redress.case.v0"):
        yield BadRecord(
            f"ce_dataschema {schema}",
            _headers(good, "ce_dataschema", f"urn:redress:schema:{schema}".encode()),
            value,
        )


def value_defects(good: CloudEvent) -> Iterator[BadRecord]:
    text = good.value()
    values: dict[str, bytes | None] = {
        "tombstone (no value)": None,
        "empty value": b"",
        "not JSON": b"{not json",
        "not UTF-8": b"\xff\xfe\x00\x01",
        "truncated JSON": text[: len(text) // 2],
        "JSON with trailing garbage": text + b"}}",
        "JSON array": b"[1, 2, 3]",
        "JSON string": b'"redress"',
        "JSON number": b"42",
        "JSON null": b"null",
        "JSON true": b"true",
        "huge integer past the digit limit": b'{"n": ' + b"9" * HUGE_DIGITS + b"}",
        "nesting past the parser's depth": b'{"a":' * PARSER_DEPTH + b"1" + b"}" * PARSER_DEPTH,
        "array nesting past the parser's depth": b"[" * PARSER_DEPTH + b"]" * PARSER_DEPTH,
        "NaN for a field": _with_raw(text, next(iter(good.data)), b"NaN"),
        "Infinity for a field": _with_raw(text, next(iter(good.data)), b"-Infinity"),
    }
    for case, value in values.items():
        yield BadRecord(case, _fresh(good), value)


def _with_raw(text: bytes, field: str, raw: bytes) -> bytes:
    """The JSON object with `field` replaced by a token that is not JSON (NaN, Infinity)."""
    data = json.loads(text)
    data[field] = "@@RAW@@"
    return json.dumps(data).encode().replace(b'"@@RAW@@"', raw)


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


# Values of the wrong kind for most fields; each is kept only where the schema rejects it.
WRONG_VALUES: dict[str, Any] = {
    "null": None,
    "an integer": 12345,
    "a negative fraction": -1.5,
    "a fraction": 0.25,
    "a list of numbers": [1, 2],
    "true": True,
    "a word": "not-a-valid-value",
    "an empty list": [],
    "an empty object": {},
    "a huge string": "x" * HUGE_STRING,
    "a huge integer": 10**40,
    f"nesting {FIELD_DEPTH} deep": _deep(FIELD_DEPTH),
    "a date": "2026-06-01",
    "a naive timestamp": "2026-06-01T10:00:00",
}


def data_defects(good: CloudEvent, validator: Draft202012Validator) -> Iterator[BadRecord]:
    yield from (
        BadRecord(case, _fresh(good), json.dumps(data).encode())
        for case, data in _mutations(good.data, "")
        if not validator.is_valid(data)
    )


def _mutations(data: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """`data` with one field at a time missing or replaced, and the same one level down."""
    yield f"{path or 'data'} empty", {}
    for field, original in data.items():
        where = f"{path}{field}"
        yield f"{where} missing", {k: v for k, v in data.items() if k != field}
        for kind, wrong in WRONG_VALUES.items():
            yield f"{where} is {kind}", {**data, field: wrong}
        if isinstance(original, dict) and not path:
            for case, inner in _mutations(original, f"{where}."):
                yield case, {**data, field: inner}
