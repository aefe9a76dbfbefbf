"""shared/envelope.py: CloudEvents in Kafka binary mode, and what a bad record is refused for."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.envelope import CloudEvent, EnvelopeError, build_event, parse_record
from shared.events import CaseAssigned, Organisation, Sector, Stage


def _assigned() -> CaseAssigned:
    return CaseAssigned(
        reference="RDR-2026-000123",
        occurred_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        organisation=Organisation(name="Northshire Hospitals NHS Trust", sector=Sector.HEALTH),
        stage=Stage.ASSESSMENT,
        caseworker_id="cw-1",
        caseworker_name="Alex Caseworker",
    )


def _headers(**changes: str | None) -> list[tuple[str, bytes]]:
    event = build_event(_assigned(), source_service="casework", subject="RDR-2026-000123")
    headers = dict(event.headers())
    for name, value in changes.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value.encode()
    return list(headers.items())


def test_an_event_round_trips_through_headers_value_and_key() -> None:
    event = build_event(_assigned(), source_service="casework", subject="RDR-2026-000123")
    assert event.type == "redress.case.assigned"
    assert event.source == "/redress/casework"
    assert event.dataschema == "urn:redress:schema:redress.case.assigned"
    assert event.key() == b"RDR-2026-000123"
    parsed = parse_record(event.headers(), event.value())
    assert (parsed.id, parsed.type, parsed.subject, parsed.data) == (
        event.id,
        event.type,
        event.subject,
        event.data,
    )
    assert parsed.time == event.time.replace(microsecond=parsed.time.microsecond)
    assert parsed.payload() == _assigned()


def test_headers_are_case_insensitive_and_may_be_a_mapping() -> None:
    event = build_event(_assigned(), source_service="casework", subject="RDR-2026-000123")
    upper = {name.upper(): value for name, value in event.headers()}
    assert parse_record(upper, event.value()).id == event.id


@pytest.mark.parametrize(
    "header", ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject"]
)
def test_a_missing_required_header_is_named(header: str) -> None:
    with pytest.raises(EnvelopeError, match=header):
        parse_record(_headers(**{header: None}), b"{}")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ce_specversion": "0.3"}, "ce_specversion"),
        ({"ce_time": "yesterday"}, "RFC 3339"),
        ({"ce_time": None}, "RFC 3339"),
    ],
)
def test_bad_attributes_are_refused_with_a_reason(
    changes: dict[str, str | None], reason: str
) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_record(_headers(**changes), b"{}")


def test_a_header_that_is_not_utf8_is_refused() -> None:
    headers = [*_headers(ce_id=None), ("ce_id", b"\xff\xfe")]
    with pytest.raises(EnvelopeError, match="UTF-8"):
        parse_record(headers, b"{}")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty value"),
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"text"', "JSON object"),
        # Past Python's 4,300-digit integer limit json.loads raises a bare ValueError.
        (b'{"n": 1' + b"0" * 5000 + b"}", "not JSON"),
        # Deep nesting raises RecursionError inside json.loads.
        (b'{"n": ' + b"[" * 200_000 + b"}", "not JSON"),
    ],
)
def test_a_bad_value_is_an_envelope_error_never_a_crash(value: bytes | None, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_record(_headers(), value)


def test_the_payload_of_an_unknown_type_or_invalid_data_is_an_envelope_error() -> None:
    unknown = CloudEvent(type="redress.case.teleported", source="/x", subject="s", data={})
    with pytest.raises(EnvelopeError, match="unknown event type"):
        unknown.payload()
    invalid = CloudEvent(
        type="redress.case.assigned", source="/x", subject="s", data={"reference": 7}
    )
    with pytest.raises(EnvelopeError, match="invalid data"):
        invalid.payload()


def test_optional_attributes_travel_only_when_set() -> None:
    plain = CloudEvent(type="t", source="/s", subject="x", data={"on": str(date(2026, 1, 1))})
    names = [name for name, _ in plain.headers()]
    assert "ce_dataschema" not in names
    assert "traceparent" not in names
    traced = CloudEvent(type="t", source="/s", subject="x", data={}, traceparent="00-ab-cd-01")
    assert parse_record(traced.headers(), traced.value()).traceparent == "00-ab-cd-01"


@pytest.mark.parametrize(
    "dataschema",
    ["urn:redress:schema:redress.case.assigned.v2", "urn:redress:schema:redress.case.closed"],
)
def test_a_redress_dataschema_of_another_type_or_version_is_refused(dataschema: str) -> None:
    value = build_event(_assigned(), source_service="casework", subject="R").value()
    with pytest.raises(EnvelopeError, match="ce_dataschema"):
        parse_record(_headers(ce_dataschema=dataschema), value)


def test_another_producers_own_dataschema_is_theirs_to_name() -> None:
    value = build_event(_assigned(), source_service="casework", subject="R").value()
    event = parse_record(_headers(ce_dataschema="https://example.org/schemas/assigned"), value)
    assert event.payload() == _assigned()


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    with pytest.raises(EnvelopeError, match="not JSON"):
        parse_record(_headers(), b'{"reference": ' + constant + b"}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", 1_782_000_000),  # a Unix time: the schema says an RFC 3339 string
        ("occurred_at", "2026-07-01"),  # a date where a time is due
        ("occurred_at", "2026-07-01T09:30:00"),  # no offset: not RFC 3339
        ("caseworker_id", 7),
        ("stage", "ASSESSMENT"),
    ],
)
def test_data_outside_the_published_schema_is_refused_not_coerced(
    field: str, value: object
) -> None:
    data = build_event(_assigned(), source_service="casework", subject="R").data | {field: value}
    event = CloudEvent(
        type="redress.case.assigned", source="/redress/casework", subject="R", data=data
    )
    with pytest.raises(EnvelopeError, match=field):
        event.payload()
