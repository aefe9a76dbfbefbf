"""A send cut by a crash (docs/architecture.md "Sending: at most one resend"): the mail's
Message-ID is the notification's own, a dead instance's claim is sent again at start-up with
that same Message-ID, and a live instance's claim is left alone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain.records import Message
from services.notifications.instance_store import InstanceStore
from services.notifications.store import ContactStore, MessageStore
from shared.db import Database
from shared.events import NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    case_opened,
    complaint_received,
    each_mail_sent_once,
    mails_for,
    running_notifications,
)
from tests.kit.kafka import Publisher
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

DELIVERED = NotificationStatus.DELIVERED
MAIL_DOMAIN = "redress.localhost"  # of the default MAIL_FROM, no-reply@redress.localhost
SLOT = "notifications-0"
# Well inside the claim timeout (600 s), so only the instance rule can explain a recovery.
CLAIMED_AGO = timedelta(seconds=90)


def delivered(message: Message) -> bool:
    return message.status is DELIVERED


async def test_the_mail_carries_the_notification_id_as_its_message_id(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("MSGID")
    opened = case_opened(reference)
    async with running_notifications(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert mail["Message-ID"] == f"<{message.id}@{MAIL_DOMAIN}>"


async def a_claim_left_by(
    instance_id: str,
    make_settings: MakeSettings,
    publisher: Publisher,
    reference: str,
) -> Message:
    """A message in `sending`, claimed by `instance_id` a little while ago, with its complainant
    known: what an instance leaves when it dies between the SMTP server taking the mail and the
    outcome being saved. Made with a service that is stopped again before returning."""
    opened = case_opened(reference)
    async with running_notifications(make_settings()) as service:
        # The complainant is not known yet, so the message waits in `created`...
        await publisher.publish(CASEWORK_CASES, opened)
        waiting = await service.wait_for_message(reference, opened.id)
        # ...and is claimed by the other instance, which no instance row describes yet (so this
        # one leaves it alone)...
        async with service.db.transaction() as session:
            claimed = await MessageStore(session, service.cipher).change(
                waiting,
                {
                    "channel": "email",
                    "attempts": 1,
                    "last_attempt_at": datetime.now(UTC) - CLAIMED_AGO,
                    "claimed_by": instance_id,
                },
                status=NotificationStatus.SENDING,
            )
        assert claimed
        # ...before the complainant becomes known.
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))

        async def contact_known() -> bool:
            async with service.db.transaction() as session:
                found = await ContactStore(session, service.cipher).get(reference)
            return found is not None

        await wait_until(contact_known)
        return await service.wait_for_message(reference, opened.id)


async def record_instance(
    database_url: str,
    instance_id: str,
    last_seen: datetime,
    slot: str | None = None,
    *,
    stopped: bool = False,
) -> None:
    """The heartbeat row another instance would have written."""
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            instances = InstanceStore(session)
            await instances.beat(instance_id, slot, last_seen)
            if stopped:
                await instances.stopped(instance_id, last_seen)
    finally:
        await db.dispose()


@pytest.mark.parametrize("death", ["silent", "same-slot", "stopped"])
async def test_a_dead_instances_claim_is_sent_again_at_start_up_with_the_same_message_id(
    death: str,
    database_url: str,
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("DEAD")
    dead = str(uuid.uuid4())
    claimed = await a_claim_left_by(dead, make_settings, publisher, reference)
    assert claimed.status is NotificationStatus.SENDING
    now = datetime.now(UTC)
    if death == "silent":  # no heartbeat for longer than the instance timeout (30 s)
        await record_instance(database_url, dead, now - CLAIMED_AGO)
    elif death == "same-slot":  # alive by its heartbeat, but our slot's previous holder
        await record_instance(database_url, dead, now, slot=SLOT)
    else:  # stopped in order, mid-send
        await record_instance(database_url, dead, now, stopped=True)

    async with running_notifications(make_settings(instance_slot=SLOT)) as service:
        message = await service.wait_for_message(reference, claimed.request_id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    assert message.id == claimed.id
    assert message.attempts == 2  # the one resend
    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert mail["Message-ID"] == f"<{claimed.id}@{MAIL_DOMAIN}>"


async def test_a_live_instances_claim_is_left_alone_until_it_stops(
    database_url: str,
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("LIVE")
    live = str(uuid.uuid4())
    claimed = await a_claim_left_by(live, make_settings, publisher, reference)

    # Beats far apart, so the test's own beats are the only ones after the first.
    settings = make_settings(
        instance_slot=SLOT, instance_heartbeat_seconds=600.0, instance_timeout_seconds=1800.0
    )
    async with running_notifications(settings) as service:
        await record_instance(database_url, live, datetime.now(UTC), slot="notifications-1")
        # Beats of our own, and the backstop sweep: still its claim.
        assert await service.recovery.beat() == 0
        assert await service.recovery.sweep_stuck() == 0
        [still] = [m for m in await service.messages(reference) if m.id == claimed.id]
        assert still.status is NotificationStatus.SENDING
        assert mails_for(mail_server.directory, reference) == []

        # It stops in order (the claim is now a send its stop cut short): the next beat takes it.
        async with service.db.transaction() as session:
            await InstanceStore(session).stopped(live, datetime.now(UTC))
        assert await service.recovery.beat() == 1
        message = await service.wait_for_message(reference, claimed.request_id, delivered)
        await each_mail_sent_once(service, mail_server.directory, reference)

    assert message.attempts == 2
