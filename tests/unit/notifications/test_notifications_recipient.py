"""services/notifications/providers/smtp.py: a mail goes to exactly the one address it names."""

from __future__ import annotations

import pytest

from services.notifications.providers import PermanentProviderError
from services.notifications.providers.smtp import build_email, single_recipient

HOSTILE = {
    "CRLF header": "jo@example.org\r\nBcc: attacker@example.net",
    "LF header": "jo@example.org\nCc: attacker@example.net",
    "CR alone": "jo@example.org\rBcc: attacker@example.net",
    "second recipient": "jo@example.org, attacker@example.net",
    "semicolon list": "jo@example.org; attacker@example.net",
    "display name": "Jo <attacker@example.net>",
    "group syntax": "undisclosed: attacker@example.net;",
    "no address": "not an address",
    "empty": "",
}

FROM = "Redress <no-reply@redress.test>"
NOTIFICATION_ID = "0b8c6a1e-6f4a-4c1f-9a57-3f0e2d9c1b7a"


@pytest.mark.parametrize("to", HOSTILE.values(), ids=HOSTILE.keys())
def test_anything_but_one_plain_address_is_a_permanent_failure(to: str) -> None:
    with pytest.raises(PermanentProviderError) as refused:
        build_email(to, FROM, "Subject", "Text", None, "redress.test", NOTIFICATION_ID)
    assert "attacker" not in refused.value.reason


@pytest.mark.parametrize("to", ["jo@example.org", "jo.o+tag@sub.example.co.uk", " jo@example.org "])
def test_a_plain_address_is_the_one_recipient(to: str) -> None:
    mail = build_email(to, FROM, "Subject", "Text", None, "x.test", NOTIFICATION_ID)
    assert mail["To"] == single_recipient(to) == to.strip()
    assert mail["Cc"] is None
    assert mail["Bcc"] is None
