"""CloudEvents 1.0 in Kafka binary content mode (docs/design.md §4, a contract).

Attributes travel as `ce_*` headers; the Kafka value is the JSON `data`; the key is the case
reference (`ce_subject`) so all events of one case stay in order on one partition.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from shared.events import EVENT_TYPES, Payload, event_type_of
from shared.timekeeping import utc_now

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# `ce_dataschema` of a Redress event names the schema of its own type (build_event).
SCHEMA_URN_PREFIX = "urn:redress:schema:"


class EnvelopeError(ValueError):
    """A record that is not a valid Redress CloudEvent: it goes to the DLQ with this reason."""


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=utc_now)
    dataschema: str | None = None
    traceparent: str | None = None

    def headers(self) -> list[tuple[str, bytes]]:
        pairs = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", self.id),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_time", self.time.astimezone(UTC).isoformat().replace("+00:00", "Z")),
            ("ce_subject", self.subject),
            ("content-type", CONTENT_TYPE),
        ]
        if self.dataschema:
            pairs.append(("ce_dataschema", self.dataschema))
        if self.traceparent:
            pairs.append(("traceparent", self.traceparent))
        return [(name, value.encode()) for name, value in pairs]

    def value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False).encode()

    def key(self) -> bytes:
        return self.subject.encode()

    def payload(self) -> Payload:
        """The typed payload model for this event's type."""
        model = EVENT_TYPES.get(self.type)
        if model is None:
            raise EnvelopeError(f"unknown event type {self.type!r}")
        try:
            # Strict and from JSON: the published schema's types exactly, as outside clients
            # validate them (no "5" or true for a number, no 12345 or a bare date for a time).
            return model.model_validate_json(self.value(), strict=True)
        except ValidationError as error:
            raise EnvelopeError(f"invalid data for {self.type}: {error}") from error


def build_event(
    payload: Payload, *, source_service: str, subject: str, ce_type: str | None = None
) -> CloudEvent:
    ce_type = ce_type or event_type_of(payload)
    return CloudEvent(
        type=ce_type,
        source=f"/redress/{source_service}",
        subject=subject,
        data=payload.model_dump(mode="json", exclude_none=True),
        dataschema=f"{SCHEMA_URN_PREFIX}{ce_type}",
    )


def _header_map(headers: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    decoded: dict[str, str] = {}
    for name, value in items:
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError as error:
                raise EnvelopeError(f"header {name} is not UTF-8") from error
        decoded[str(name).lower()] = str(value)
    return decoded


def _not_json(constant: str) -> Any:
    # Python reads NaN and Infinity, which JSON (RFC 8259) and every other client do not.
    raise ValueError(f"{constant} is not JSON")


def _check_dataschema(ce_type: str, dataschema: str | None) -> None:
    """A Redress schema other than the type's own (another type, a `.v2`) means the data is not
    what the type promises; other producers' schema URIs are theirs to name."""
    own = f"{SCHEMA_URN_PREFIX}{ce_type}"
    if dataschema and dataschema.startswith(SCHEMA_URN_PREFIX) and dataschema != own:
        raise EnvelopeError(f"ce_dataschema {dataschema!r} is not the schema of {ce_type}")


def parse_record(
    headers: Mapping[str, Any] | Iterable[tuple[str, Any]], value: bytes | None
) -> CloudEvent:
    """Decode a Kafka record into a CloudEvent, or raise EnvelopeError saying what is wrong."""
    attrs = _header_map(headers)
    missing = [
        h
        for h in ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject")
        if not attrs.get(h)
    ]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    try:
        event_time = datetime.fromisoformat(attrs.get("ce_time", "").replace("Z", "+00:00"))
    except ValueError as error:
        raise EnvelopeError(f"ce_time is not RFC 3339: {attrs.get('ce_time')!r}") from error
    _check_dataschema(attrs["ce_type"], attrs.get("ce_dataschema"))
    if value is None:
        raise EnvelopeError("empty value: no data")
    try:
        data = json.loads(value, parse_constant=_not_json)
    # ValueError covers bad UTF-8, bad JSON and integers past Python's 4,300-digit limit; deep
    # nesting raises RecursionError. Each is a bad record for the DLQ, never a consumer crash.
    except (ValueError, RecursionError) as error:
        raise EnvelopeError(f"value is not JSON: {str(error)[:200]}") from error
    if not isinstance(data, dict):
        raise EnvelopeError("data must be a JSON object")
    return CloudEvent(
        type=attrs["ce_type"],
        source=attrs["ce_source"],
        subject=attrs["ce_subject"],
        data=data,
        id=attrs["ce_id"],
        time=event_time,
        dataschema=attrs.get("ce_dataschema"),
        traceparent=attrs.get("traceparent"),
    )
