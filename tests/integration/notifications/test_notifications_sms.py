"""Texts, bounces, quiet hours, receipts, the staff message list and retention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from deploy.local.sms_gateway import RunningGateway
from services.notifications.store import Message
from shared.auth import Role
from shared.events import ContactMethod, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    FakeClock,
    case_opened,
    complaint_received,
    each_mail_sent_once,
    each_text_sent_once,
    running_notifications,
)
from tests.kit.kafka import Publisher, TopicWatcher

pytestmark = pytest.mark.integration

Status = NotificationStatus
LONDON = ZoneInfo("Europe/London")
MOBILE = "07700 900123"  # Ofcom drama range: the gateway accepts it and reports it delivered
MOBILE_E164 = "+447700900123"
# docs/reference/notify-anchor.md §1 "Simulated / research"
PERMANENT_FAILURE_MOBILE = "07700 900002"


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
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("BOUNCE")
    daytime = FakeClock.at_midday_in_london()
    async with running_notifications(make_settings(), daytime) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS, complaint_received(reference, email=bouncing, phone=MOBILE)
        )
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        sms = await service.wait_for_message(
            reference, opened.id, lambda m: m.channel == "sms" and m.status is Status.DELIVERED
        )
        found = [m for m in await service.messages(reference) if m.request_id == opened.id]
        email = by_channel(found, "email")
        assert email.status is Status.PERMANENT_FAILURE
        assert email.failure_reason
        assert bouncing not in email.failure_reason
        assert sms.request_id == email.request_id
        assert sms.fragments is not None

        # The address is now suppressed: the next message goes straight to SMS.
        second = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, second)
        await service.wait_for_message(reference, second.id, lambda m: m.status is Status.DELIVERED)
        found = await service.messages(reference)
        assert [m.channel for m in found if m.request_id == second.id] == ["sms"]
        texts = await each_text_sent_once(service, sms_gateway, reference)

    failed = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == email.id
            and event.type == "redress.notification.failed"
        )
    )
    assert failed[0].data["status"] == "permanent-failure"
    assert bouncing not in str(failed)
    assert {t["to"] for t in texts} == {MOBILE_E164}


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
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        held = await service.wait_for_message(
            reference, opened.id, lambda m: m.send_after is not None
        )
        assert held.status is Status.CREATED
        assert held.channel == "sms"
        assert held.send_after == datetime(2027, 1, 16, 8, 0, tzinfo=LONDON)
        await service.sender.send_due()
        assert texts_for(sms_gateway, reference) == []

        clock.pinned = datetime(2027, 1, 16, 8, 0, 1, tzinfo=LONDON).astimezone(UTC)
        service.sender.wake()
        sent = await service.wait_for_message(
            reference, opened.id, lambda m: m.status is Status.DELIVERED
        )
        await each_text_sent_once(service, sms_gateway, reference)
    assert sent.attempts == 1


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
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        delivered = await service.wait_for_message(
            reference, opened.id, lambda m: m.status is Status.DELIVERED
        )
        sid = delivered.provider_message_id
        assert sid is not None

        status_path = "/v1/providers/sms/status"

        async def twilio_receipt(form: dict[str, str]) -> httpx.Response:
            return await service.http.post(
                status_path, data=form, headers=service.twilio_signed(form)
            )

        late_failure = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
        answer = await twilio_receipt(late_failure)
        assert answer.status_code == 200
        assert answer.json() == {"result": "ignored"}
        again = await twilio_receipt({"MessageSid": sid, "MessageStatus": "delivered"})
        assert again.json() == {"result": "ignored"}
        interim = await twilio_receipt({"MessageSid": sid, "MessageStatus": "sent"})
        assert interim.status_code == 200
        [still] = [m for m in await service.messages(reference) if m.id == delivered.id]
        assert still.status is Status.DELIVERED

        unknown = await service.http.post(
            status_path,
            json={"id": "no-such-id", "status": "delivered"},
            headers=service.notify_authorised(),
        )
        assert unknown.status_code == 404
        for content, content_type in (
            (b"{not json", "application/json"),
            (b'{"status": "delivered"}', "application/json"),
            (b'{"id": "%s", "status": "exploded"}' % sid.encode(), "application/json"),
            (b"hello", "text/plain"),
        ):
            headers = {"content-type": content_type, **service.notify_authorised()}
            response = await service.http.post(status_path, content=content, headers=headers)
            assert response.status_code == 400, content

        # A permanent-failure receipt: the number is suppressed and email takes over.
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(
                failing, phone=PERMANENT_FAILURE_MOBILE, preferred=ContactMethod.SMS
            ),
        )
        failing_opened = case_opened(failing)
        await publisher.publish(CASEWORK_CASES, failing_opened)
        await service.wait_for_message(
            failing,
            failing_opened.id,
            lambda m: m.channel == "email" and m.status is Status.DELIVERED,
        )
        found = [m for m in await service.messages(failing) if m.request_id == failing_opened.id]
        assert by_channel(found, "sms").status is Status.PERMANENT_FAILURE
        await each_mail_sent_once(service, mail_server.directory, failing)


async def test_staff_see_the_message_list_but_only_managers_see_content(
    make_settings: MakeSettings,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("LIST")
    async with running_notifications(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        ours = await service.wait_for_message(
            reference, opened.id, lambda m: m.status is Status.DELIVERED
        )
        path = f"/v1/messages?reference={reference}"

        caseworker = await service.http.get(path, headers=service.staff_headers(Role.CASEWORKER))
        manager = await service.http.get(path, headers=service.staff_headers(Role.MANAGER))
        anonymous = await service.http.get(path)
        missing_reference = await service.http.get(
            "/v1/messages", headers=service.staff_headers(Role.CASEWORKER)
        )

        # Retention: after the period the content goes, the metadata stays.
        await service.apply_retention(datetime.now(UTC) + timedelta(days=8))
        after_retention = await service.http.get(path, headers=service.staff_headers(Role.MANAGER))

    assert anonymous.status_code == 401
    assert missing_reference.status_code == 422

    def our_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
        [row] = [row for row in rows if row["id"] == ours.id]
        return row

    seen_by_caseworker = our_row(caseworker.json())
    assert seen_by_caseworker["status"] == "delivered"
    assert seen_by_caseworker["channel"] == "email"
    assert seen_by_caseworker["template"] == "acknowledgement"
    assert seen_by_caseworker["attempts"] == 1
    assert not {"recipient", "body", "subject"} & seen_by_caseworker.keys()
    assert "complainant@example.org" not in caseworker.text
    seen_by_manager = our_row(manager.json())
    assert seen_by_manager["recipient"] == "complainant@example.org"
    assert reference in seen_by_manager["body"]
    redacted = our_row(after_retention.json())
    assert redacted["recipient"] is None
    assert redacted["body"] is None
    assert redacted["status"] == "delivered"
