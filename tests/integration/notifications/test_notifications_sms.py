"""Texts, bounces, quiet hours, receipts, the staff message list and retention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deploy.local.sms_gateway import RunningGateway
from services.notifications.store import Message
from shared.auth import Role
from shared.events import ContactMethod, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    DeliveryWatcher,
    FakeClock,
    Publisher,
    case_opened,
    complaint_received,
    mails_for,
    running_notifications,
    wait_until,
)

pytestmark = pytest.mark.integration

Status = NotificationStatus
LONDON = ZoneInfo("Europe/London")
MOBILE = "07700 900123"  # Ofcom drama range: the gateway accepts it and reports it delivered
MOBILE_E164 = "+447700900123"
PERMANENT_FAILURE_MOBILE = "07700 900002"  # notify-anchor.md "Simulated / research"


def texts_for(gateway: RunningGateway, reference: str) -> list[dict[str, object]]:
    return [text for text in gateway.messages() if reference in str(text["body"])]


def by_channel(found: list[Message], channel: str) -> Message:
    [message] = [m for m in found if m.channel == channel]
    return message


@pytest.mark.parametrize("bouncing", ["bounce@example.org", "perm-fail@simulator.notify"])
async def test_a_permanent_email_failure_switches_to_sms_and_tells_casework(
    bouncing: str,
    make_settings: MakeSettings,
    sms_gateway: RunningGateway,
    publisher: Publisher,
    deliveries: DeliveryWatcher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("BOUNCE")
    daytime = FakeClock.at_midday_in_london()
    async with running_notifications(make_settings(), daytime) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS, complaint_received(reference, email=bouncing, phone=MOBILE)
        )
        await publisher.publish(CASEWORK_CASES, case_opened(reference))
        found = await service.wait_for_messages(
            reference,
            lambda found: (
                len(found) == 2
                and any(m.channel == "sms" and m.status is Status.DELIVERED for m in found)
            ),
        )
        email, sms = by_channel(found, "email"), by_channel(found, "sms")
        assert email.status is Status.PERMANENT_FAILURE
        assert email.failure_reason
        assert bouncing not in email.failure_reason
        assert sms.request_id == email.request_id
        assert sms.fragments is not None

        # The address is now suppressed: the next message goes straight to SMS.
        second = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, second)
        found = await service.wait_for_messages(
            reference, lambda found: sum(m.status is Status.DELIVERED for m in found) == 2
        )
        assert [m.channel for m in found if m.request_id == second.id] == ["sms"]

    failed = await deliveries.wait_for(
        lambda ce_type, data: (
            data["notification_id"] == email.id and ce_type == "redress.notification.failed"
        )
    )
    assert failed[0][1]["status"] == "permanent-failure"
    assert bouncing not in str(failed)
    texts = texts_for(sms_gateway, reference)
    assert len(texts) == 2
    assert texts[0]["to"] == MOBILE_E164


async def test_quiet_hours_hold_a_text_until_eight_in_the_morning(
    make_settings: MakeSettings,
    sms_gateway: RunningGateway,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("QUIET")
    clock = FakeClock(datetime(2027, 1, 15, 22, 30, tzinfo=LONDON).astimezone(UTC))
    async with running_notifications(make_settings(), clock) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(reference, email=None, phone=MOBILE, preferred=ContactMethod.SMS),
        )
        await publisher.publish(CASEWORK_CASES, case_opened(reference))
        [held] = await service.wait_for_messages(
            reference, lambda found: len(found) == 1 and found[0].send_after is not None
        )
        assert held.status is Status.CREATED
        assert held.channel == "sms"
        assert held.send_after == datetime(2027, 1, 16, 8, 0, tzinfo=LONDON)
        await service.sender.send_due()
        assert texts_for(sms_gateway, reference) == []

        clock.pinned = datetime(2027, 1, 16, 8, 0, 1, tzinfo=LONDON).astimezone(UTC)
        service.sender.wake()
        [sent] = await service.wait_for_messages(
            reference, lambda found: found[0].status is Status.DELIVERED
        )
    assert sent.attempts == 1
    assert len(texts_for(sms_gateway, reference)) == 1


async def test_sms_receipts_only_move_a_status_forward(
    make_settings: MakeSettings,
    sms_gateway: RunningGateway,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("RECEIPT")
    failing = unique("RECEIPT-PERM")
    # Simulation off: the gateway itself decides the outcome and posts the receipts.
    settings = make_settings(simulate_test_recipients=False)
    async with running_notifications(settings, FakeClock.at_midday_in_london()) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(reference, phone=MOBILE, preferred=ContactMethod.SMS),
        )
        await publisher.publish(CASEWORK_CASES, case_opened(reference))
        [delivered] = await service.wait_for_messages(
            reference, lambda found: len(found) == 1 and found[0].status is Status.DELIVERED
        )
        sid = delivered.provider_message_id
        assert sid is not None

        late_failure = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
        answer = await service.http.post("/v1/providers/sms/status", data=late_failure)
        assert answer.status_code == 200
        assert answer.json() == {"result": "ignored"}
        again = await service.http.post(
            "/v1/providers/sms/status", data={"MessageSid": sid, "MessageStatus": "delivered"}
        )
        assert again.json() == {"result": "ignored"}
        interim = await service.http.post(
            "/v1/providers/sms/status", data={"MessageSid": sid, "MessageStatus": "sent"}
        )
        assert interim.status_code == 200
        [still] = await service.messages(reference)
        assert still.status is Status.DELIVERED

        unknown = await service.http.post(
            "/v1/providers/sms/status", json={"id": "no-such-id", "status": "delivered"}
        )
        assert unknown.status_code == 404
        for bad in (
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            {"json": {"status": "delivered"}},
            {"json": {"id": sid, "status": "exploded"}},
            {"content": b"hello", "headers": {"content-type": "text/plain"}},
        ):
            response = await service.http.post("/v1/providers/sms/status", **bad)
            assert response.status_code == 400, bad

        # A permanent-failure receipt: the number is suppressed and email takes over.
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(
                failing, phone=PERMANENT_FAILURE_MOBILE, preferred=ContactMethod.SMS
            ),
        )
        await publisher.publish(CASEWORK_CASES, case_opened(failing))
        found = await service.wait_for_messages(
            failing,
            lambda found: (
                len(found) == 2
                and any(m.channel == "email" and m.status is Status.DELIVERED for m in found)
            ),
        )
        assert by_channel(found, "sms").status is Status.PERMANENT_FAILURE

    async def mail_arrived() -> bool:
        return len(mails_for(mail_server.directory, failing)) == 1

    await wait_until(mail_arrived)


async def test_staff_see_the_message_list_but_only_managers_see_content(
    make_settings: MakeSettings,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("LIST")
    async with running_notifications(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(CASEWORK_CASES, case_opened(reference))
        await service.wait_for_messages(
            reference, lambda found: len(found) == 1 and found[0].status is Status.DELIVERED
        )
        path = f"/v1/messages?reference={reference}"

        caseworker = await service.http.get(path, headers=service.staff_headers(Role.CASEWORKER))
        manager = await service.http.get(path, headers=service.staff_headers(Role.MANAGER))
        anonymous = await service.http.get(path)
        missing_reference = await service.http.get(
            "/v1/messages", headers=service.staff_headers(Role.CASEWORKER)
        )

        # Retention: after the period the content goes, the metadata stays.
        await service.sender.apply_retention(datetime.now(UTC) + timedelta(days=8))
        after_retention = await service.http.get(path, headers=service.staff_headers(Role.MANAGER))

    assert anonymous.status_code == 401
    assert missing_reference.status_code == 422
    [seen_by_caseworker] = caseworker.json()
    assert seen_by_caseworker["status"] == "delivered"
    assert seen_by_caseworker["channel"] == "email"
    assert seen_by_caseworker["template"] == "acknowledgement"
    assert seen_by_caseworker["attempts"] == 1
    assert not {"recipient", "body", "subject"} & seen_by_caseworker.keys()
    assert "complainant@example.org" not in caseworker.text
    [seen_by_manager] = manager.json()
    assert seen_by_manager["recipient"] == "complainant@example.org"
    assert reference in seen_by_manager["body"]
    [redacted] = after_retention.json()
    assert redacted["recipient"] is None
    assert redacted["body"] is None
    assert redacted["status"] == "delivered"
