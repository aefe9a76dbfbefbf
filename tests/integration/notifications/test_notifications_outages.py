"""Nothing is lost while a provider is down; giving up is loud (technical-failure + event)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from deploy.local.sms_gateway import RunningGateway
from services.notifications.domain import count_fragments
from shared.auth import Role
from shared.events import ContactMethod, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    FakeClock,
    case_opened,
    complaint_received,
    running_notifications,
)
from tests.kit.kafka import Publisher, TopicWatcher

pytestmark = pytest.mark.integration

Status = NotificationStatus
MOBILE = "07700 900123"  # Ofcom drama range: the gateway accepts it and reports it delivered
# Small, so giving up happens within the test (the default is in domain/retry.py).
TEST_MAX_ATTEMPTS = 3


async def set_outage(gateway: RunningGateway, down: bool) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{gateway.url}/_outage", json={"down": down})
        answer.raise_for_status()


async def test_an_sms_gateway_outage_is_retried_and_every_text_arrives_once(
    make_settings: MakeSettings,
    sms_gateway: RunningGateway,
    publisher: Publisher,
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    references = [unique(f"SMSOUT{n}") for n in range(3)]
    opened = [case_opened(reference) for reference in references]
    await set_outage(sms_gateway, down=True)
    async with running_notifications(make_settings(), FakeClock.at_midday_in_london()) as service:
        for reference, event in zip(references, opened, strict=True):
            await publisher.publish(
                INTAKE_COMPLAINTS,
                complaint_received(
                    reference, email=None, phone=MOBILE, preferred=ContactMethod.SMS
                ),
            )
            await publisher.publish(CASEWORK_CASES, event)
        for reference, event in zip(references, opened, strict=True):
            await service.wait_for_message(
                reference,
                event.id,
                lambda m: m.status is Status.TEMPORARY_FAILURE and m.attempts >= 2,
            )
        assert sms_gateway.messages() == []
        await set_outage(sms_gateway, down=False)
        delivered = [
            await service.wait_for_message(
                reference, event.id, lambda m: m.status is Status.DELIVERED
            )
            for reference, event in zip(references, opened, strict=True)
        ]
        listed = await service.http.get(
            f"/v1/messages?reference={references[0]}",
            headers=service.staff_headers(Role.CASEWORKER),
        )

    texts = sms_gateway.messages()
    for message in delivered:
        # Exactly one text per message: no attempt during the outage got through half-way.
        [text] = [t for t in texts if t["id"] == message.provider_message_id]
        assert message.channel == "sms"
        assert message.attempts >= 3
        # Fragments are recorded per message, by Notify's rules, and agree with the provider.
        assert message.fragments == count_fragments(str(text["body"])).fragments
        assert message.fragments == text["num_segments"]
    ours = [t for t in texts if any(m.reference in str(t["body"]) for m in delivered)]
    assert len({t["id"] for t in ours}) == len(ours)
    [row] = [item for item in listed.json() if item["id"] == delivered[0].id]
    assert row["fragments"] == delivered[0].fragments
    assert row["channel"] == "sms"
    failed = await deliveries.wait_for(
        lambda event: (
            event.data["reference"] == references[0] and event.type == "redress.notification.failed"
        )
    )
    assert failed[0].data["status"] == "temporary-failure"
    assert "503" in failed[0].data["failure_reason"]


async def test_giving_up_after_max_attempts_is_a_technical_failure_with_an_event(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("GIVEUP")
    mail_server.stop()
    async with running_notifications(make_settings(max_attempts=TEST_MAX_ATTEMPTS)) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(
            reference, opened.id, lambda m: m.status is Status.TECHNICAL_FAILURE
        )

    assert message.attempts == TEST_MAX_ATTEMPTS
    assert message.failure_reason is not None
    assert message.failure_reason.startswith(f"gave up after {TEST_MAX_ATTEMPTS} attempts")
    [failure] = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == message.id
            and event.type == "redress.notification.failed"
            and event.data["status"] == "technical-failure"
        )
    )
    assert failure.data["attempts"] == TEST_MAX_ATTEMPTS
    assert "complainant@example.org" not in str(failure.data)
