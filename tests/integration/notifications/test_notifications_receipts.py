"""SMS delivery receipts are authenticated: Twilio's signature and Notify's bearer token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy.local.sms_gateway import RunningGateway, running_gateway
from services.notifications.store import Message
from shared.events import ContactMethod, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import ReceiptReceiver
from tests.integration.notifications.conftest import CALLBACK_BEARER_TOKEN, MakeSettings
from tests.integration.notifications.support import (
    FakeClock,
    RunningNotifications,
    case_opened,
    complaint_received,
    running_notifications,
)
from tests.kit.kafka import Publisher
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

Status = NotificationStatus
MOBILE = "07700 900123"  # Ofcom drama range: the gateway accepts it and reports it delivered
STATUS_PATH = "/v1/providers/sms/status"
NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
NOTIFY_API_KEY = (
    "redress_local-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
)
# How long a refused receipt is given to (wrongly) land before we check it did not.
SETTLE_SECONDS = 1.0


async def a_text_in_sending(
    service: RunningNotifications, publisher: Publisher, reference: str
) -> tuple[str, str]:
    """Send one text; returns its request id and provider id once the provider has taken it."""
    opened = case_opened(reference)
    await publisher.publish(
        INTAKE_COMPLAINTS,
        complaint_received(reference, phone=MOBILE, preferred=ContactMethod.SMS),
    )
    await publisher.publish(CASEWORK_CASES, opened)
    message = await service.wait_for_message(
        reference, opened.id, lambda m: m.provider_message_id is not None
    )
    assert message.provider_message_id is not None
    return opened.id, message.provider_message_id


async def ours(service: RunningNotifications, reference: str, request_id: str) -> Message:
    [message] = [m for m in await service.messages(reference) if m.request_id == request_id]
    return message


async def test_the_gateways_signed_twilio_receipt_is_accepted(
    make_settings: MakeSettings, publisher: Publisher, unique: Callable[[str], str]
) -> None:
    reference = unique("TWSIGNED")
    settings = make_settings(simulate_test_recipients=False)
    async with running_notifications(settings, FakeClock.at_midday_in_london()) as service:
        request_id, _sid = await a_text_in_sending(service, publisher, reference)
        message = await service.wait_for_message(
            reference, request_id, lambda m: m.status is Status.DELIVERED
        )
    assert message.delivered_at is not None


async def test_unsigned_or_badly_signed_twilio_receipts_are_refused(
    make_settings: MakeSettings,
    receipt_receiver: ReceiptReceiver,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("TWFORGED")
    # The gateway's own receipts go elsewhere, so the text stays `sending` for the forgeries.
    settings = make_settings(simulate_test_recipients=False, callback_base_url=receipt_receiver.url)
    async with running_notifications(settings, FakeClock.at_midday_in_london()) as service:
        request_id, sid = await a_text_in_sending(service, publisher, reference)
        failure = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
        delivered = {"MessageSid": sid, "MessageStatus": "delivered"}

        unsigned = await service.http.post(STATUS_PATH, data=failure)
        garbage = await service.http.post(
            STATUS_PATH, data=failure, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
        )
        # A genuine signature, but for a different receipt (the status was tampered with).
        tampered = await service.http.post(
            STATUS_PATH, data=failure, headers=service.twilio_signed(delivered)
        )
        still = await ours(service, reference, request_id)
        # The genuine receipt, as the gateway would post it if it overtook our record of the sid:
        # the callback URL carries our message id, and Twilio signs the URL with its query.
        overtaking = {"MessageSid": f"SM{'0' * 32}", "MessageStatus": "delivered"}
        query = f"notification={still.id}"
        genuine = await service.http.post(
            f"{STATUS_PATH}?{query}",
            data=overtaking,
            headers=service.twilio_signed(overtaking, query),
        )
        after = await ours(service, reference, request_id)

    assert [r.status_code for r in (unsigned, garbage, tampered)] == [403, 403, 403]
    assert "Not an authentic receipt" in unsigned.json()["error"]
    assert still.status is Status.SENDING
    assert genuine.status_code == 200
    assert genuine.json() == {"result": "applied"}
    assert after.status is Status.DELIVERED
    assert after.provider_message_id == overtaking["MessageSid"]


@pytest.mark.parametrize(
    ("gateway_token", "accepted"),
    [(CALLBACK_BEARER_TOKEN, True), ("a-wrong-token", False), (None, False)],
    ids=["configured-token", "wrong-token", "no-token"],
)
async def test_notify_receipts_need_the_configured_bearer_token(
    gateway_token: str | None,
    accepted: bool,
    make_settings: MakeSettings,
    publisher: Publisher,
    tmp_path: Path,
    unique: Callable[[str], str],
) -> None:
    reference = unique("NOTIFYRCPT")
    probe = make_settings()  # only to learn the port the service will listen on
    async with running_gateway(
        tmp_path / "notify-sms",
        callback_url=probe.sms_status_callback_url,
        callback_bearer_token=gateway_token,
    ) as gateway:
        settings = make_settings(
            http_port=probe.http_port,
            callback_base_url=probe.callback_base_url,
            simulate_test_recipients=False,
            sms_provider="notify",
            sms_api_url=gateway.url,
            sms_auth_token=NOTIFY_API_KEY,
            sms_from=NOTIFY_TEMPLATE_ID,
        )
        async with running_notifications(settings, FakeClock.at_midday_in_london()) as service:
            request_id, notification_id = await a_text_in_sending(service, publisher, reference)
            if accepted:
                message = await service.wait_for_message(
                    reference, request_id, lambda m: m.status is Status.DELIVERED
                )
                assert message.delivered_at is not None
                return
            await wait_until(lambda: _stored(gateway, reference))
            await _settle()
            refused = await ours(service, reference, request_id)
            wrong = await service.http.post(
                STATUS_PATH,
                json={"id": notification_id, "status": "delivered"},
                headers={"Authorization": "Bearer a-wrong-token"},
            )
            right = await service.http.post(
                STATUS_PATH,
                json={"id": notification_id, "status": "delivered"},
                headers=service.notify_authorised(),
            )
            message = await ours(service, reference, request_id)

    assert refused.status is Status.SENDING
    assert wrong.status_code == 403
    assert right.json() == {"result": "applied"}
    assert message.status is Status.DELIVERED


async def _stored(gateway: RunningGateway, reference: str) -> bool:
    return any(reference in str(text["body"]) for text in gateway.messages())


async def _settle() -> None:
    await asyncio.sleep(SETTLE_SECONDS)
