"""Events in, email out: acknowledgements, redelivery, SMTP outages, two instances, surveys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.store import Message, MessageStore
from shared.events import NotificationRequested, NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS, NOTIFICATION_REQUESTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import PUBLIC_URL, MakeSettings
from tests.integration.notifications.support import (
    FakeClock,
    case_opened,
    complaint_received,
    each_mail_sent_once,
    running_notifications,
    survey_requested,
)
from tests.kit.kafka import Publisher, TopicWatcher
from tests.kit.mail import text_of

pytestmark = pytest.mark.integration

DELIVERED = NotificationStatus.DELIVERED


def delivered(message: Message) -> bool:
    return message.status is DELIVERED


@pytest.mark.parametrize("complaint_first", [True, False], ids=["complaint-first", "case-first"])
async def test_a_new_case_sends_one_acknowledgement_with_a_tracking_link(
    complaint_first: bool,
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("ACK")
    token = f"secret-{reference}"
    complaint = complaint_received(reference, tracking_token=token)
    opened = case_opened(reference)
    first, second = (complaint, opened) if complaint_first else (opened, complaint)
    first_topic, second_topic = (
        (INTAKE_COMPLAINTS, CASEWORK_CASES)
        if complaint_first
        else (CASEWORK_CASES, INTAKE_COMPLAINTS)
    )

    async with running_notifications(make_settings()) as service:
        await publisher.publish(first_topic, first)
        if not complaint_first:  # the message is stored and waits for the complainant
            waiting = await service.wait_for_message(reference, opened.id)
            assert waiting.status is NotificationStatus.CREATED
        await publisher.publish(second_topic, second)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert mail["To"] == "complainant@example.org"
    assert reference in mail["Subject"]
    body = text_of(mail)
    assert f"{PUBLIC_URL}/track/{reference}?token={token}" in body
    assert mail.get_body(preferencelist=("html",)) is not None
    assert message.template == "acknowledgement"
    assert message.channel == "email"
    assert message.attempts == 1
    events = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == message.id
            and event.type == "redress.notification.delivered"
        )
    )
    assert events[0].data["status"] == "delivered"
    sent = await deliveries.wait_for(
        lambda event: (
            event.data["notification_id"] == message.id
            and event.type == "redress.notification.sent"
        )
    )
    # No personal data on the deliveries topic.
    assert "complainant@example.org" not in str(sent) + str(events)


async def test_a_redelivered_event_sends_one_mail(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("DUP")
    opened = case_opened(reference)

    async with running_notifications(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(CASEWORK_CASES, opened)
        await publisher.publish(CASEWORK_CASES, opened)  # the identical CloudEvent again
        await service.wait_for_message(reference, opened.id, delivered)
        # A third copy after the first was sent: still nothing new.
        await publisher.publish(CASEWORK_CASES, opened)
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        follow_up = case_opened(unique("OTHER"))
        await publisher.publish(CASEWORK_CASES, follow_up)  # a marker: consumed after the copy
        await service.wait_for_message(follow_up.subject, follow_up.id)
        ours = [m for m in await service.messages(reference) if m.request_id == opened.id]
        assert len(ours) == 1
        await each_mail_sent_once(service, mail_server.directory, reference)


async def test_an_smtp_outage_is_retried_and_every_mail_arrives_once(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    deliveries: TopicWatcher,
    unique: Callable[[str], str],
) -> None:
    references = [unique(f"OUT{n}") for n in range(3)]
    mail_server.stop()

    opened = [case_opened(reference) for reference in references]
    async with running_notifications(make_settings()) as service:
        for reference, event in zip(references, opened, strict=True):
            await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
            await publisher.publish(CASEWORK_CASES, event)
        for reference, event in zip(references, opened, strict=True):
            await service.wait_for_message(
                reference,
                event.id,
                lambda m: m.status is NotificationStatus.TEMPORARY_FAILURE and m.attempts >= 2,
            )
        mail_server.start()
        sent = [
            await service.wait_for_message(reference, event.id, delivered)
            for reference, event in zip(references, opened, strict=True)
        ]
        for reference in references:
            await each_mail_sent_once(service, mail_server.directory, reference)

    assert all(message.attempts >= 3 for message in sent)
    failed = await deliveries.wait_for(
        lambda event: (
            event.data["reference"] == references[0] and event.type == "redress.notification.failed"
        )
    )
    assert failed[0].data["status"] == "temporary-failure"
    assert "SMTP" in failed[0].data["failure_reason"]


async def test_two_instances_never_send_the_same_message_twice(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    references = [unique(f"TWO{n}") for n in range(6)]
    first_settings = make_settings()
    second_settings = make_settings(database_url=first_settings.database_url)

    opened = [case_opened(reference) for reference in references]
    async with (
        running_notifications(first_settings) as first,
        running_notifications(second_settings),
    ):
        for reference, event in zip(references, opened, strict=True):
            await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
            await publisher.publish(CASEWORK_CASES, event)
        for reference, event in zip(references, opened, strict=True):
            await first.wait_for_message(reference, event.id, delivered)
            await each_mail_sent_once(first, mail_server.directory, reference)


async def test_a_survey_request_sends_the_survey_link(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("SURVEY")
    survey_url = f"https://redress.example/survey/{reference}-token"
    request = survey_requested(reference, survey_url)

    async with running_notifications(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(NOTIFICATION_REQUESTS, request)
        await publisher.publish(NOTIFICATION_REQUESTS, request)
        payload = request.payload()
        assert isinstance(payload, NotificationRequested)
        message = await service.wait_for_message(reference, payload.request_id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert survey_url in text_of(mail)
    assert message.template == "survey_invitation"


async def test_large_print_is_used_when_asked_for(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("LARGE")
    async with running_notifications(make_settings()) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS, complaint_received(reference, adjustments=("Large print",))
        )
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert "large-print" in str(html.get_content())
    assert message.large_print


async def test_a_claim_left_by_a_crashed_sender_is_retried(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("CRASH")
    clock = FakeClock()
    async with running_notifications(make_settings(), clock) as service:
        # The complaint is not known yet, so the message waits in `created`...
        opened = case_opened(reference)
        await publisher.publish(CASEWORK_CASES, opened)
        stored = await service.wait_for_message(reference, opened.id)
        # ...then pretend an instance claimed it an hour ago and died before sending.
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        async with service.db.transaction() as session:
            claimed = await MessageStore(session, service.cipher).change(
                stored,
                {"channel": "email", "attempts": 1, "last_attempt_at": an_hour_ago},
                status=NotificationStatus.SENDING,
            )
        assert claimed
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        # The sweep returns the claim to the retry queue. The service's own periodic sweep may
        # get there first on a slow machine, so the proof is the delivery on a second attempt.
        await service.recovery.sweep_stuck()
        message = await service.wait_for_message(reference, opened.id, delivered)
        await each_mail_sent_once(service, mail_server.directory, reference)

    assert message.attempts == 2
