"""Hostile data in events cannot reach further than the message it is in: a contact detail with
CR/LF cannot add a mail header or a recipient, and template syntax in personalisation is printed,
never run (the templates render in Jinja's sandbox and values are data, not templates)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from services.notifications.domain.records import Message
from shared.events import NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS, NOTIFICATION_REQUESTS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.notifications.conftest import MakeSettings
from tests.integration.notifications.support import (
    case_opened,
    complaint_received,
    mails_for,
    survey_requested,
)
from tests.integration.notifications.support import running_notifications as running
from tests.kit.kafka import Publisher
from tests.kit.mail import text_of

pytestmark = pytest.mark.integration

ATTACKER = "attacker@example.net"
INJECTIONS = {
    "CRLF Bcc": f"victim@example.org\r\nBcc: {ATTACKER}",
    "LF Cc": f"victim@example.org\nCc: {ATTACKER}",
    "second recipient": f"victim@example.org, {ATTACKER}",
    "CRLF body": f"victim@example.org\r\n\r\nSend money to {ATTACKER}",
}
TEMPLATE_ESCAPES = (
    "{{ 7777 * 7 }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}LOOPED{% endfor %}",
    "{{ config }}{{ self.__init__.__globals__ }}",
)
DELIVERED = NotificationStatus.DELIVERED
PERSONALISATION = {"survey_url": "https://example.org/survey/x"}
SETTLED = {
    NotificationStatus.DELIVERED,
    NotificationStatus.PERMANENT_FAILURE,
    NotificationStatus.TECHNICAL_FAILURE,
}


def settled(message: Message) -> bool:
    return message.status in SETTLED


def every_mail_file(directory: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace") for path in directory.rglob("*") if path.is_file()
    )


@pytest.mark.parametrize("email", INJECTIONS.values(), ids=INJECTIONS.keys())
async def test_a_contact_detail_cannot_add_headers_or_recipients(
    email: str,
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    hostile, control = unique("INJ"), unique("CTRL")
    opened, control_opened = case_opened(hostile), case_opened(control)
    async with running(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(hostile, email=email))
        await publisher.publish(CASEWORK_CASES, opened)
        await service.wait_for_message(hostile, opened.id, settled)
        # The sender goes on: the next complainant's acknowledgement is delivered.
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(control))
        await publisher.publish(CASEWORK_CASES, control_opened)
        delivered = await service.wait_for_message(
            control, control_opened.id, lambda m: m.status is DELIVERED
        )

    assert delivered.attempts == 1
    assert ATTACKER not in every_mail_file(mail_server.directory)
    for mail in mails_for(mail_server.directory, hostile):
        assert mail["Bcc"] is None
        assert mail["Cc"] is None
        assert "\n" not in str(mail["To"])


async def test_template_syntax_in_personalisation_is_printed_not_run(
    make_settings: MakeSettings,
    mail_server: LocalMailServer,
    publisher: Publisher,
    unique: Callable[[str], str],
) -> None:
    reference = unique("SSTI")
    hostile = " ".join(TEMPLATE_ESCAPES)
    asked = survey_requested(reference, "https://example.org/survey/x")
    request = replace(
        asked,
        data={**asked.data, "personalisation": {**PERSONALISATION, "survey_closes_on": hostile}},
    )
    async with running(make_settings()) as service:
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(NOTIFICATION_REQUESTS, request)
        message = await service.wait_for_message(
            reference, request.data["request_id"], lambda m: m.status is DELIVERED
        )

    [mail] = [
        m
        for m in mails_for(mail_server.directory, reference)
        if m["Message-ID"] == message.provider_message_id
    ]
    text = text_of(mail)
    for escape in TEMPLATE_ESCAPES:
        assert escape in text, f"{escape!r} was not printed as it is:\n{text}"
    assert "54439" not in text  # 7777 * 7
    assert "LOOPEDLOOPED" not in text
    assert "<class" not in text
