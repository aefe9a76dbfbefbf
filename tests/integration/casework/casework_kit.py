"""Helpers for casework's integration tests: complaints in, actions, and what people see."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, date, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import select

from services.casework.settings import CaseworkSettings
from services.casework.store import outbox
from shared.auth import Role, issue_staff_token
from shared.envelope import build_event
from shared.events import (
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    EligibilityFlags,
    NotificationStatus,
    NotificationStatusChanged,
    Organisation,
    Payload,
    Sector,
)
from shared.settings import DEVELOPMENT_AUTH_SECRET
from shared.topics import INTAKE_COMPLAINTS, NOTIFICATION_DELIVERIES, Topic

MANAGER_TOKEN = issue_staff_token(
    DEVELOPMENT_AUTH_SECRET, sub="m1", name="Morgan", role=Role.MANAGER
)
STAFF = {"Authorization": f"Bearer {MANAGER_TOKEN}"}
SECRET_WORDS = (
    "Zebedee Quartermain",
    "zebedee@example.org",
    "+447700900123",
    "unmistakable-summary-text",
)


def a_complaint(reference: str, received_at: datetime | None = None) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id=str(uuid.uuid4()),
        reference=reference,
        received_at=received_at or datetime.now(UTC),
        channel=Channel.WEB,
        complainant=Complainant(
            name=SECRET_WORDS[0],
            email=SECRET_WORDS[1],
            phone=SECRET_WORDS[2],
            preferred_contact=ContactMethod.EMAIL,
        ),
        # A directory entry (shared/directory/organisations.csv), as intake matched it.
        organisation=Organisation(id="RNS01", name="Northshire NHS Trust", sector=Sector.HEALTH),
        summary=f"An {SECRET_WORDS[3]} about a cancelled operation.",
        desired_outcome="An apology.",
        first_aware_on=date(2026, 6, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=f"token-{reference}",
    )


async def publish(
    bootstrap: str, topic: Topic, payload: Payload, *, source: str, subject: str, ce_type: str
) -> None:
    event = build_event(payload, source_service=source, subject=subject, ce_type=ce_type)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic.name, event.value(), key=event.key(), headers=event.headers()
        )
    finally:
        await producer.stop()


async def publish_complaint(bootstrap: str, complaint: ComplaintReceived) -> None:
    await publish(
        bootstrap,
        INTAKE_COMPLAINTS,
        complaint,
        source="intake",
        subject=complaint.reference,
        ce_type="redress.complaint.received",
    )


def delivery_failure(
    reference: str, status: NotificationStatus, notification_id: str | None = None
) -> NotificationStatusChanged:
    return NotificationStatusChanged(
        notification_id=notification_id or str(uuid.uuid4()),
        request_id=str(uuid.uuid4()),
        reference=reference,
        channel="email",
        template="draft_decision",
        template_version=1,
        status=status,
        at=datetime.now(UTC),
        attempts=3,
        failure_reason="mailbox unavailable",
    )


async def publish_delivery_failure(bootstrap: str, failure: NotificationStatusChanged) -> None:
    await publish(
        bootstrap,
        NOTIFICATION_DELIVERIES,
        failure,
        source="notifications",
        subject=failure.reference,
        ce_type="redress.notification.failed",
    )


def new_reference() -> str:
    return f"RDR-T-{uuid.uuid4().hex[:8].upper()}"


def settings_for(database_url: str, bootstrap: str, prefix: str) -> CaseworkSettings:
    return CaseworkSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        consumer_group_prefix=prefix,
        deadline_check_seconds=3600,
    )


async def opened_case(
    client: httpx.AsyncClient, bootstrap: str, reference: str, **kwargs: Any
) -> dict[str, Any]:
    await publish_complaint(bootstrap, a_complaint(reference, **kwargs))
    for _ in range(300):
        response = await client.get(
            f"/v1/track/{reference}", params={"token": f"token-{reference}"}
        )
        if response.status_code == 200:
            return dict(response.json())
        await asyncio.sleep(0.1)
    raise AssertionError("case never opened")


async def act(
    client: httpx.AsyncClient, reference: str, action: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = await client.post(f"/v1/cases/{reference}/actions", json=action, headers=STAFF)
    assert response.status_code == expect, response.text
    return dict(response.json())


async def public_events(app: Any, reference: str) -> list[tuple[str, dict[str, Any]]]:
    async with app.state.service.db.sessions() as session:
        rows = await session.execute(
            select(outbox).where(outbox.c.message_key == reference).order_by(outbox.c.seq)
        )
        return [(row.ce_type, json.loads(row.value)) for row in rows]


async def track(client: httpx.AsyncClient, reference: str) -> dict[str, Any]:
    response = await client.get(f"/v1/track/{reference}", params={"token": f"token-{reference}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def track_page(client: httpx.AsyncClient, reference: str, *, markup: bool = False) -> str:
    """The tracking page, checked for accessibility: its words as a reader sees them (or the
    markup, whitespace collapsed)."""
    response = await client.get(f"/track/{reference}", params={"token": f"token-{reference}"})
    assert response.status_code == 200, response.text
    assert_accessible(response.text)
    return " ".join(response.text.split()) if markup else visible_text(response.text)


def visible_text(html: str) -> str:
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([.,;:])", r"\1", text)


async def staff_view(client: httpx.AsyncClient, reference: str) -> dict[str, Any]:
    response = await client.get(f"/v1/cases/{reference}", headers=STAFF)
    assert response.status_code == 200, response.text
    return dict(response.json())


def day(value: date) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}"


class _PageParts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
        elif tag == "label" and attributes.get("for"):
            self.labelled.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.controls.append(attributes)


def assert_accessible(html: str) -> int:
    """No JavaScript, and every visible form control has a label; returns how many controls."""
    parts = _PageParts()
    parts.feed(html)
    assert parts.scripts == 0
    for control in parts.controls:
        assert control.get("id") in parts.labelled, f"unlabelled control: {control}"
    return len(parts.controls)


async def start_group_at_end(bootstrap: str, topic: Topic, group_id: str) -> None:
    """Commit the topic's current end as `group_id`'s position, so a fresh consumer group reads
    only what is published from now on instead of every test's history on a shared topic."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic.name, partition) for partition in range(topic.partitions)
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends.items()))
    finally:
        await consumer.stop()
