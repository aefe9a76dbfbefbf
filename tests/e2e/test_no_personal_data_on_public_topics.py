"""Hostile organisation names through the whole suite (issue 13 item 6): complaints whose
"organisation" is a person's name, email address, phone number and postcode, taken to a decision
with a body added by staff under such a name too; then every record on every public topic since
the test began is read, and none carries any of it."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.auth import Role
from shared.directory import UNLISTED
from shared.topics import (
    CASEWORK_CASES,
    FEEDBACK_RESPONSES,
    NOTIFICATION_DELIVERIES,
    REPORT_PUBLICATIONS,
    Topic,
)
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

# The public topics (docs/design.md section 4: "who may read: anyone").
PUBLIC_TOPICS = (CASEWORK_CASES, NOTIFICATION_DELIVERIES, FEEDBACK_RESPONSES, REPORT_PUBLICATIONS)
HOSTILE_NAMES = (
    "Dr Grace Hopper practice, grace.hopper@example.org, 07911 123456, LS1 1AA",
    "Ada Lovelace ada.lovelace@example.net +44 7700 900123 SW1A 2AA",
    "Surgery of Dr Alan Turing (call 0113 496 0000, BD7 1DP)",
)
# What must never appear, each a fragment of the names above (and its normalised forms).
PERSONAL_FRAGMENTS = (
    "Grace Hopper",
    "grace.hopper@example.org",
    "07911 123456",
    "+447911123456",
    "LS1 1AA",
    "Ada Lovelace",
    "ada.lovelace@example.net",
    "7700 900123",
    "+447700900123",
    "SW1A 2AA",
    "Alan Turing",
    "0113 496 0000",
    "BD7 1DP",
)
# Added by staff to each case (the console's "add organisation"), typed, not from the directory.
STAFF_TYPED_BODY = "Mr Charles Babbage, 12 Engine Row, CB2 1TN"
STAFF_FRAGMENTS = ("Charles Babbage", "Engine Row", "CB2 1TN")
# A listed body beside them: public events name it by its entry, so the scan reads real names.
LISTED = ("Riverside Surgery", "B82002")


def _ends(bootstrap: str) -> dict[TopicPartition, int]:
    async def read() -> dict[TopicPartition, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [
                TopicPartition(topic.name, number)
                for topic in PUBLIC_TOPICS
                for number in range(topic.partitions)
            ]
            return dict(await consumer.end_offsets(partitions))
        finally:
            await consumer.stop()

    return asyncio.run(read())


def _records_between(
    bootstrap: str, start: dict[TopicPartition, int], end: dict[TopicPartition, int]
) -> list[tuple[Topic, bytes, dict[str, Any]]]:
    """Every record of the public topics from `start` to `end`: (topic, raw bytes, data)."""
    by_name = {topic.name: topic for topic in PUBLIC_TOPICS}

    async def read() -> list[tuple[Topic, bytes, dict[str, Any]]]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        found: list[tuple[Topic, bytes, dict[str, Any]]] = []
        try:
            wanted = [p for p in end if end[p] > start[p]]
            consumer.assign(wanted)
            for partition in wanted:
                consumer.seek(partition, start[partition])

            async def behind() -> bool:
                return any([await consumer.position(p) < end[p] for p in wanted])

            async with asyncio.timeout(60):
                while await behind():
                    batches = await consumer.getmany(timeout_ms=1000)
                    for partition, records in batches.items():
                        for record in records:
                            if record.offset >= end[partition]:
                                continue
                            raw = (record.key or b"") + (record.value or b"")
                            raw += b"".join(name.encode() + value for name, value in record.headers)
                            found.append(
                                (by_name[partition.topic], raw, json.loads(record.value or b"{}"))
                            )
        finally:
            await consumer.stop()
        return found

    return asyncio.run(read())


def _complaint(organisation: str, email: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "Sam Jones", "email": email, "preferred_contact": "email"},
        "organisation": {"name": organisation, "sector": "health"},
        "summary": "The practice lost my referral letter twice and nobody told me.",
        "desired_outcome": "An apology and the referral made.",
        "first_aware_on": "2026-06-01",
        "complained_to_organisation_on": "2026-06-10",
        "organisation_response_on": "2026-08-01",
    }


def _decide(client: httpx.Client, suite: Suite, reference: str, token: str) -> None:
    staff = suite.staff_headers(Role.MANAGER)
    url = f"{suite.url('casework')}/v1/cases/{reference}/actions"

    def act(action: dict[str, Any]) -> None:
        answer = client.post(url, json=action, headers=staff)
        assert answer.status_code == 200, answer.text

    act({"action": "accept"})
    act({"action": "add_organisation", "name": STAFF_TYPED_BODY, "sector": "other"})
    act({"action": "issue_draft"})
    comments = client.post(
        f"{suite.url('casework')}/v1/track/{reference}/comments",
        params={"token": token},
        json={"comments": "That is right."},
    )
    assert comments.status_code == 200, comments.text
    act(
        {
            "action": "issue_final",
            "outcome": "upheld",
            "summary": "The practice lost the letter and did not say so.",
            "findings": [
                {"organisation": STAFF_TYPED_BODY, "outcome": "upheld", "summary": "It erred."}
            ],
            "recommendations": [
                {"type": "apology", "description": "Apologise.", "due_on": "2030-01-31"},
                {
                    "type": "service_improvement",
                    "description": "Track referrals.",
                    "due_on": "2030-01-31",
                    "organisation": STAFF_TYPED_BODY,
                },
            ],
        }
    )


def _complain_and_decide(client: httpx.Client, suite: Suite, name: str) -> tuple[str, str]:
    """One complaint naming `name`, taken to a final decision: (reference, email)."""
    email = f"sam.{uuid.uuid4().hex[:6]}@example.org"
    answer = client.post(f"{suite.url('intake')}/v1/complaints", json=_complaint(name, email))
    assert answer.status_code == 201, answer.text
    reference, token = answer.json()["reference"], answer.json()["tracking_token"]
    track = f"{suite.url('casework')}/v1/track/{reference}"

    def tracked() -> dict[str, Any] | None:
        response = client.get(track, params={"token": token})
        return dict(response.json()) if response.status_code == 200 else None

    view = eventually(tracked, "the case to open")
    assert view["organisation"]["name"] in {name, LISTED[0]}  # the complainant's own view
    ack = eventually(lambda: suite.mail_to(email, reference), "the acknowledgement")
    assert f"You complained about {name}." in text_of(ack)  # their words, privately
    _decide(client, suite, reference, token)
    return reference, email


def test_no_typed_organisation_name_reaches_a_public_topic(suite: Suite) -> None:
    client = httpx.Client(timeout=10.0)
    start = _ends(suite.kafka)
    cases = dict(_complain_and_decide(client, suite, name) for name in (*HOSTILE_NAMES, LISTED[0]))
    for reference, email in cases.items():

        def invited(address: str = email) -> object:
            return suite.mail_to(address, "how we did")

        eventually(invited, f"the survey invitation of {reference}", timeout=60)

    records = _records_between(suite.kafka, start, _ends(suite.kafka))
    ours = [data for _, _, data in records if data.get("reference") in cases]
    opened = {d["reference"]: d for d in ours if "channel" in d and "received_at" in d}
    assert set(opened) == set(cases), "every case.opened was read"
    names = {d["organisation"]["name"] for d in opened.values()}
    assert names == {UNLISTED, LISTED[0]}
    assert any(d["organisation"].get("id") == LISTED[1] for d in opened.values())
    assert any(topic is FEEDBACK_RESPONSES for topic, _, _ in records), "feedback was read too"
    for topic, raw, _ in records:
        text = raw.decode("utf-8", errors="replace").casefold()
        for fragment in (*PERSONAL_FRAGMENTS, *STAFF_FRAGMENTS):
            assert fragment.casefold() not in text, f"{fragment!r} on {topic.name}"
