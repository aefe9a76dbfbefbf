"""Reading the mail a test received."""

from __future__ import annotations

from email.message import EmailMessage


def text_of(mail: EmailMessage) -> str:
    """The plain-text part's content."""
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
