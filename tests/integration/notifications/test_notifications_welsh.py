"""A complainant who asked for Welsh, or a complaint about a Welsh body, gets the acknowledgement
in Welsh first and then English, in one mail at the real SMTP server (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.notifications.store import Message
from shared.events import NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import PUBLIC_URL, MakeSettings
from tests.integration.notifications.support import (
    case_opened,
    complaint_received,
    each_mail_sent_once,
    running_notifications,
)
from tests.kit.kafka import Publisher
from tests.kit.mail import text_of

pytestmark = pytest.mark.integration


def delivered(message: Message) -> bool:
    return message.status is NotificationStatus.DELIVERED


@pytest.mark.parametrize(
    ("language", "nation"),
    [("cy", "england"), (None, "wales")],
    ids=["asked-for-welsh", "welsh-body"],
)
async def test_the_acknowledgement_is_welsh_first_in_one_mail(
    language: str | None,
    nation: str,
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("CY")
    token = f"secret-{reference}"
    opened = case_opened(reference)
    async with running_notifications(make_settings(nation=nation)) as service:
        await publisher.publish(
            INTAKE_COMPLAINTS,
            complaint_received(reference, tracking_token=token, language=language),
        )
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert str(mail["Subject"]) == (
        f"Rydym wedi cael eich cwyn: {reference} / We have received your complaint: {reference}"
    )
    body = text_of(mail).replace("\r\n", "\n")  # SMTP's line ends
    assert body.startswith("Rydym wedi cael eich cwyn\n")
    assert body.index("Cawsom eich cwyn ar") < body.index("We received your complaint on")
    assert "erbyn 1 Chwefror 2027" in body
    assert "by 1 February 2027" in body
    assert body.count(f"{PUBLIC_URL}/track/{reference}?token={token}") == 2
    html_part = mail.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    assert '<html lang="cy">' in html
    assert html.index('<div lang="cy">') < html.index('<div lang="en">')


async def test_english_only_for_everyone_else(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("EN")
    opened = case_opened(reference)
    async with running_notifications(make_settings(nation="scotland")) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference, language="en"))
        await publisher.publish(CASEWORK_CASES, opened)
        message = await service.wait_for_message(reference, opened.id, delivered)
        mails = await each_mail_sent_once(service, mail_server.directory, reference)

    [mail] = [m for m in mails if m["Message-ID"] == message.provider_message_id]
    assert str(mail["Subject"]) == f"We have received your complaint: {reference}"
    assert "Rydym" not in text_of(mail)
