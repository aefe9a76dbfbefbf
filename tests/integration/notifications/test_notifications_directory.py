"""Notifications and the directory of organisations (issue 13 item 6, issue 14): a body that is
"unlisted" on the public topic is named to the complainant in their own words (from the internal
topic, never published), and a body the directory places in Wales means Welsh first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.notifications.store import Message
from shared.directory import UNLISTED
from shared.events import NotificationStatus, Organisation, Sector
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    case_opened,
    complaint_received,
    each_mail_sent_once,
    running_notifications,
)
from tests.kit.kafka import Publisher
from tests.kit.mail import text_of

pytestmark = pytest.mark.integration

TYPED = "Dr Hopper's practice on Mill Lane"
PUBLIC_UNLISTED = Organisation(name=UNLISTED, sector=Sector.HEALTH)
WELSH_BODY = Organisation(
    id="7A4", name="Cardiff and Vale University Health Board", sector=Sector.HEALTH
)


def delivered(message: Message) -> bool:
    return message.status is NotificationStatus.DELIVERED


async def test_an_unlisted_body_is_named_to_the_complainant_as_they_typed_it(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("UL")
    opened = case_opened(reference, organisation=PUBLIC_UNLISTED)
    typed = Organisation(name=TYPED, sector=Sector.HEALTH)
    async with running_notifications(make_settings(nation="england")) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(reference, organisation=typed, organisation_as_typed=TYPED),
        )
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    body = text_of(mail)
    assert f"You complained about {TYPED}." in body
    assert UNLISTED not in body


async def test_a_welsh_body_in_the_directory_means_welsh_first_outside_wales(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("WB")
    opened = case_opened(reference, organisation=WELSH_BODY)
    async with running_notifications(make_settings(nation="england")) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(
                reference, language="en", organisation=WELSH_BODY, organisation_nation="wales"
            ),
        )
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert str(mail["Subject"]).startswith("Rydym wedi cael eich cwyn")
    body = text_of(mail)
    assert body.index("Cawsom eich cwyn ar") < body.index("We received your complaint on")
    assert "Cardiff and Vale University Health Board" in body
