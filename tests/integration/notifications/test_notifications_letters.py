"""Letters: rendered for staff, fetched from the print queue, confirmed as posted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.auth import Role
from shared.events import ContactMethod, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.notifications.conftest import PUBLIC_URL, MakeSettings
from tests.integration.notifications.support import (
    case_opened,
    complaint_received,
    running_notifications,
)
from tests.kit.kafka import Publisher, TopicWatcher

pytestmark = pytest.mark.integration

Status = NotificationStatus
POSTAL_ADDRESS = "Flat 2\n1 High Street\nLeeds\nLS1 1AA"
QUEUE = "/v1/letters/queue"


async def test_a_letter_goes_through_the_print_queue_and_is_confirmed_posted(
    make_settings: MakeSettings,
    publisher: Publisher,
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("LETTER")
    token = f"secret-{reference}"
    async with running_notifications(make_settings()) as service:
        caseworker = service.staff_headers(Role.CASEWORKER)
        manager = service.staff_headers(Role.MANAGER)
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(
                reference,
                email=None,
                address=POSTAL_ADDRESS,
                preferred=ContactMethod.LETTER,
                adjustments=("Large print",),
                tracking_token=token,
            ),
        )
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        queued = await service.wait_for_message(
            reference, opened.id, lambda m: m.queued_for_print_at is not None
        )
        assert queued.status is Status.CREATED
        assert queued.channel == "letter"
        assert queued.large_print
        assert queued.attempts == 0

        too_early = await service.http.post(f"/v1/letters/{queued.id}/posted", headers=manager)
        anonymous = await service.http.get(QUEUE)
        admin = await service.http.get(QUEUE, headers=service.staff_headers(Role.ADMIN))
        fetched = await service.http.get(QUEUE, headers=caseworker)
        fetched_again = await service.http.get(QUEUE, headers=manager)
        unposted = await service.http.get(
            QUEUE, params={"include_unposted": "true"}, headers=manager
        )
        [printing] = [m for m in await service.messages(reference) if m.id == queued.id]

        posted = await service.http.post(f"/v1/letters/{queued.id}/posted", headers=caseworker)
        posted_twice = await service.http.post(f"/v1/letters/{queued.id}/posted", headers=manager)
        unknown = await service.http.post("/v1/letters/no-such-letter/posted", headers=manager)
        [done] = [m for m in await service.messages(reference) if m.id == queued.id]
        listed = await service.http.get(f"/v1/messages?reference={reference}", headers=caseworker)

    assert too_early.status_code == 409
    assert "created" in too_early.json()["error"]
    assert anonymous.status_code == 401
    assert admin.status_code == 403
    assert fetched.status_code == 200
    # Only ours is certain: other sessions' casework may open cases for our complaint too.
    [letter] = [item for item in fetched.json() if item["id"] == queued.id]
    assert letter["status"] == "sending"
    assert letter["large_print"] is True
    html = letter["html"]
    assert "Alex Example<br>" in html
    assert "LS1 1AA" in html
    assert f"Our reference: {reference}" in html
    assert f"{PUBLIC_URL}/track/{reference}?token={token}" in html
    assert "large-print" in html
    assert queued.id not in [item["id"] for item in fetched_again.json()]
    assert queued.id in [item["id"] for item in unposted.json()]

    assert printing.status is Status.SENDING
    assert printing.attempts == 1
    assert printing.sent_at is not None
    assert posted.status_code == 200
    assert posted.json()["status"] == "delivered"
    assert posted.json()["result"] == "posted"
    assert posted_twice.status_code == 200
    assert posted_twice.json()["result"] == "already-posted"
    assert unknown.status_code == 404
    assert done.status is Status.DELIVERED
    assert done.delivered_at is not None
    [row] = [item for item in listed.json() if item["id"] == queued.id]
    assert (row["channel"], row["status"]) == ("letter", "delivered")
    assert "LS1 1AA" not in listed.text  # caseworkers do not see addresses in the message list

    events = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == queued.id
            and event.type == "redress.notification.delivered"
        )
    )
    sent = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == queued.id and event.type == "redress.notification.sent"
        )
    )
    assert events[0].data["channel"] == sent[0].data["channel"] == "letter"
    assert "LS1 1AA" not in str(events) + str(sent)


async def test_a_letter_preference_without_an_address_is_served_by_email(
    make_settings: MakeSettings,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("NOADDR")
    async with running_notifications(make_settings()) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS, complaint_received(reference, preferred=ContactMethod.LETTER)
        )
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        await service.wait_for_message(
            reference, opened.id, lambda m: m.channel == "email" and m.status is Status.DELIVERED
        )
        queue = await service.http.get(QUEUE, headers=service.staff_headers(Role.MANAGER))
        found = await service.messages(reference)

    assert [m.channel for m in found if m.request_id == opened.id] == ["email"]
    assert reference not in queue.text
