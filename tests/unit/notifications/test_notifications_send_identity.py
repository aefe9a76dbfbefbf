"""What makes a resend recognisable and a live instance safe: the mail's Message-ID comes from
the notification id, and an instance timeout too short to outlast a few heartbeats is refused
(it would take live instances for dead ones, and two live instances would send one message)."""

from __future__ import annotations

import re
import uuid

import pytest
from pydantic import ValidationError

from services.notifications.providers import build_email, message_id_for
from services.notifications.settings import MIN_BEATS_PER_TIMEOUT, NotificationsSettings

# RFC 5322 section 3.6.4: msg-id = "<" id-left "@" id-right ">", both dot-atom-text here.
ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
DOT_ATOM_TEXT = rf"{ATEXT}(?:\.{ATEXT})*"
MSG_ID = re.compile(rf"<{DOT_ATOM_TEXT}@{DOT_ATOM_TEXT}>")


def a_mail(notification_id: str) -> str:
    mail = build_email(
        to="complainant@example.org",
        from_="Redress <no-reply@redress.example>",
        subject="We have received your complaint",
        text="Thank you.",
        html=None,
        message_id_domain="redress.example",
        notification_id=notification_id,
    )
    return str(mail["Message-ID"])


def test_every_attempt_at_one_notification_has_one_message_id() -> None:
    notification_id = str(uuid.uuid4())
    assert a_mail(notification_id) == a_mail(notification_id)
    assert a_mail(notification_id) == f"<{notification_id}@redress.example>"


def test_two_notifications_never_share_a_message_id() -> None:
    assert a_mail(str(uuid.uuid4())) != a_mail(str(uuid.uuid4()))


def test_the_message_id_is_an_rfc_5322_msg_id() -> None:
    notification_id = str(uuid.uuid4())
    message_id = message_id_for(notification_id, "redress.example")
    assert MSG_ID.fullmatch(message_id), message_id
    local, _, domain = message_id.strip("<>").partition("@")
    assert uuid.UUID(local) == uuid.UUID(notification_id)
    assert domain == "redress.example"


@pytest.mark.parametrize(
    ("heartbeat", "timeout", "accepted"),
    [
        (5.0, 30.0, True),
        (5.0, 5.0 * MIN_BEATS_PER_TIMEOUT, True),
        (5.0, 14.9, False),
        (10.0, 5.0, False),
    ],
)
def test_the_instance_timeout_must_outlast_several_heartbeats(
    heartbeat: float, timeout: float, accepted: bool
) -> None:
    if accepted:
        settings = NotificationsSettings(
            instance_heartbeat_seconds=heartbeat, instance_timeout_seconds=timeout
        )
        assert settings.instance_timeout_seconds == timeout
    else:
        with pytest.raises(ValidationError, match="NOTIFICATIONS_INSTANCE_TIMEOUT_SECONDS"):
            NotificationsSettings(
                instance_heartbeat_seconds=heartbeat, instance_timeout_seconds=timeout
            )
