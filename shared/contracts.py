"""The published contracts, generated from the payload models: JSON Schemas and AsyncAPI.

`python -m shared.contracts` writes docs/contracts/; tests/contract/test_contracts.py fails when
the committed files drift from the models.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared.events import EVENT_TYPES, CaseEvent
from shared.topics import (
    CASEWORK_CASES,
    FEEDBACK_RESPONSES,
    INTAKE_COMPLAINTS,
    NOTIFICATION_DELIVERIES,
    NOTIFICATION_REQUESTS,
    REPORT_PUBLICATIONS,
    SERVICES,
    Topic,
    dlq,
)

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "docs" / "contracts"

TOPIC_EVENT_TYPES: dict[Topic, list[str]] = {
    INTAKE_COMPLAINTS: ["redress.complaint.received"],
    CASEWORK_CASES: sorted(t for t, model in EVENT_TYPES.items() if issubclass(model, CaseEvent)),
    NOTIFICATION_REQUESTS: ["redress.notification.requested"],
    NOTIFICATION_DELIVERIES: [
        "redress.notification.sent",
        "redress.notification.delivered",
        "redress.notification.failed",
    ],
    FEEDBACK_RESPONSES: [
        "redress.survey.invited",
        "redress.feedback.submitted",
        "redress.consultation.published",
    ],
    REPORT_PUBLICATIONS: ["redress.report.published"],
}

TOPIC_DESCRIPTIONS: dict[str, str] = {
    INTAKE_COMPLAINTS.name: (
        "Complaints as received, WITH personal data. Internal: casework and notifications only."
    ),
    CASEWORK_CASES.name: "Case events with NO personal data: the public integration topic.",
    NOTIFICATION_REQUESTS.name: "Commands: send template T to the complainant of case R.",
    NOTIFICATION_DELIVERIES.name: "Delivery statuses of messages, no personal data.",
    FEEDBACK_RESPONSES.name: "Survey invitations and anonymised answers.",
    REPORT_PUBLICATIONS.name: "Published report metadata.",
}

CLOUDEVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
    ],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "pattern": "^/redress/[a-z]+$"},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The case reference; also the Kafka key."},
        "content-type": {"const": "application/json"},
        "ce_dataschema": {"type": "string"},
        "traceparent": {"type": "string"},
    },
}


def schema_file_name(ce_type: str) -> str:
    return f"{ce_type}.json"


def json_schemas() -> dict[str, dict[str, Any]]:
    return {
        ce_type: model.model_json_schema(mode="serialization")
        for ce_type, model in EVENT_TYPES.items()
    }


def _message_ref(ce_type: str) -> dict[str, str]:
    return {"$ref": f"#/components/messages/{ce_type.replace('.', '_')}"}


def _topic_channel(topic: Topic, types: Iterable[str]) -> dict[str, Any]:
    return {
        "address": topic.name,
        "description": (
            f"{TOPIC_DESCRIPTIONS[topic.name]} "
            f"Partitions: {topic.partitions}; key: the case reference."
        ),
        "messages": {t.replace(".", "_"): _message_ref(t) for t in types},
    }


def _message(ce_type: str) -> dict[str, Any]:
    return {
        "name": ce_type,
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
        "payload": {"$ref": f"schemas/{schema_file_name(ce_type)}"},
    }


def _dead_letter_channels() -> dict[str, Any]:
    return {
        dlq(service).name.replace(".", "_"): {
            "address": dlq(service).name,
            "description": (
                "Messages the service could not process: the original record, untouched, "
                "with x-error, x-original-topic, x-original-partition, x-original-offset, "
                "x-consumer, x-failed-at."
            ),
        }
        for service in SERVICES
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, types in TOPIC_EVENT_TYPES.items():
        channel_id = topic.name.replace(".", "_")
        channels[channel_id] = _topic_channel(topic, types)
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
        }
        messages.update((ce_type.replace(".", "_"), _message(ce_type)) for ce_type in types)
    channels.update(_dead_letter_channels())
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Redress events",
            "version": "1.0.0",
            "description": (
                "CloudEvents 1.0 in Kafka binary content mode; the value is the JSON data."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"CloudEventHeaders": CLOUDEVENTS_HEADERS}, "messages": messages},
    }


def rendered() -> dict[str, str]:
    """Every contract file, path relative to docs/contracts -> text."""
    files = {"asyncapi.json": _dump(asyncapi())}
    for ce_type, schema in json_schemas().items():
        files[f"schemas/{schema_file_name(ce_type)}"] = _dump(schema)
    return files


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path = CONTRACTS_DIR) -> None:
    for relative, text in rendered().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


if __name__ == "__main__":
    write()
