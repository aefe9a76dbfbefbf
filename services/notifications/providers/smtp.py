"""Email over SMTP: building the message, sending it on one reused connection, and classifying
the server's refusals."""

from __future__ import annotations

import asyncio
import email.policy
import email.utils
import logging
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from services.notifications.providers.base import (
    PermanentProviderError,
    ProviderError,
    TemporaryProviderError,
)

logger = logging.getLogger("services.notifications.providers")

SMTP_PERMANENT_FAILURE = 500  # RFC 5321 section 4.2.1: 5yz replies are permanent, 4yz transient
# Long enough for a slow relay to answer, short enough that a hung server does not stall a
# worker; a send that times out is retried as a temporary failure.
SMTP_TIMEOUT_SECONDS = 30.0


TlsMode = Literal["none", "starttls", "tls"]


def single_recipient(to: str) -> str:
    """`to` when it is one plain address. A contact detail is data from another service: with a
    comma, a display name, or CR/LF it would add recipients or headers to the mail, so it is a
    permanent failure (the address names itself in no reason: it is personal data)."""
    name, address = email.utils.parseaddr(to)
    if any(c in to for c in "\r\n,;") or name or address != to.strip() or "@" not in address:
        raise PermanentProviderError("the recipient is not one plain email address")
    return address


def build_email(
    to: str,
    from_: str,
    subject: str,
    text: str,
    html: str | None,
    message_id_domain: str,
    notification_id: str,
) -> EmailMessage:
    """A multipart/alternative message, plain text first (RFC 2046 section 5.1.4: the last part
    is the preferred one, so clients that can show HTML do). Its Message-ID is the
    notification's own (`message_id_for`), so every attempt at one notification is one mail."""
    message = EmailMessage(policy=email.policy.default)
    message["From"] = from_
    message["To"] = single_recipient(to)
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = message_id_for(notification_id, message_id_domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def message_id_for(notification_id: str, domain: str) -> str:
    """The Message-ID of a notification's mail: `<notification id@domain>` (RFC 5322 section
    3.6.4 msg-id; the id is a UUID, so a valid dot-atom). The same on every attempt, so a mail
    resent after a crash mid-send is recognisably the same mail (RFC 5322: a resend of one
    message keeps its Message-ID), and mail clients and relays can drop the duplicate."""
    return f"<{notification_id}@{domain}>"


def classify_smtp_failure(error: Exception) -> ProviderError:
    """5yz replies are permanent; 4yz replies and connection trouble are temporary."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        details = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
        if all(code >= SMTP_PERMANENT_FAILURE for code in codes):
            return PermanentProviderError(f"recipient refused: {details}")
        return TemporaryProviderError(f"recipient deferred: {details}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        reason = f"SMTP {error.code} {error.message}"
        if error.code >= SMTP_PERMANENT_FAILURE:
            return PermanentProviderError(reason)
        return TemporaryProviderError(reason)
    return TemporaryProviderError(f"SMTP server unreachable: {error!r}")


class EmailSender:
    """Sends mail over one reused SMTP connection.

    Opening a connection (and TLS, and AUTH) per message is the slow part of SMTP, so the
    connection stays open between sends. A lock serialises sends, because one SMTP connection
    carries one transaction at a time. A connection the server has dropped since the last send
    is reopened once, transparently.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: TlsMode = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both an SMTP username and password, or neither")
        self._host = host
        self._port = port
        self._tls: TlsMode = tls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._connection: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> EmailSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def send(self, message: EmailMessage) -> str:
        """Send one message; returns its Message-ID."""
        message_id = message["Message-ID"]
        if not message_id:
            raise ValueError("the message has no Message-ID; build it with build_email")
        async with self._lock:
            try:
                await self._send_with_reconnect(message)
            except (aiosmtplib.SMTPException, OSError) as error:
                if not isinstance(error, aiosmtplib.SMTPRecipientsRefused):
                    # After anything but a refused recipient (which aiosmtplib answers with
                    # RSET), the session state is unknown: start afresh next time.
                    await self._drop_connection()
                raise classify_smtp_failure(error) from error
        return str(message_id)

    async def close(self) -> None:
        async with self._lock:
            await self._drop_connection(polite=True)

    async def _send_with_reconnect(self, message: EmailMessage) -> None:
        reused = self._connection is not None and self._connection.is_connected
        connection = await self._connected()
        try:
            errors, _reply = await connection.send_message(message)
        except aiosmtplib.SMTPServerDisconnected:
            if not reused:
                raise
            logger.info("SMTP connection to %s:%d was closed; reconnecting", self._host, self._port)
            await self._drop_connection()
            connection = await self._connected()
            errors, _reply = await connection.send_message(message)
        if errors:
            # Some recipients were refused while others took the message; report the refusals
            # rather than claim a full delivery.
            refusals = [
                aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient)
                for recipient, reply in errors.items()
            ]
            raise aiosmtplib.SMTPRecipientsRefused(refusals)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._connection is not None and self._connection.is_connected:
            return self._connection
        connection = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._tls == "tls",
            start_tls=self._tls == "starttls",
            timeout=self._timeout,
        )
        await connection.connect()
        if self._username is not None and self._password is not None:
            try:
                await connection.login(self._username, self._password)
            except aiosmtplib.SMTPException:
                connection.close()
                raise
        self._connection = connection
        return connection

    async def _drop_connection(self, *, polite: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is None or not connection.is_connected:
            return
        if polite:
            try:
                await connection.quit()
                return
            except (aiosmtplib.SMTPException, OSError):
                pass  # the server went away first; just release the socket below
        connection.close()
