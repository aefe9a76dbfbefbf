"""Sending one mail through the configured SMTP server (MailSettings), for services that send a
few mails of their own: intake's questions about missing facts, feedback's organisation surveys.
Notifications keeps its own pooled sender for volume (services/notifications/providers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from shared.settings import MailSettings

# An SMTP exchange that takes longer than this has failed; callers retry on their next run.
SMTP_TIMEOUT_SECONDS = 30.0


class MailError(Exception):
    """The mail could not be handed to the SMTP server (try again later)."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """One connection per message: these services send a handful of mails a day."""

    host: str
    port: int
    tls: str = "none"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_settings(cls, settings: MailSettings) -> SmtpMailer:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        )

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                use_tls=self.tls == "tls",
                start_tls=self.tls == "starttls",
                username=self.username,
                password=self.password,
                timeout=SMTP_TIMEOUT_SECONDS,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailError(f"SMTP {self.host}:{self.port}: {type(error).__name__}") from error
