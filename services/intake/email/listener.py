"""The SMTP listener of the inbound email channel (aiosmtpd), run inside the intake service.

aiosmtpd's Controller serves SMTP on its own thread and event loop, so a slow or hostile client
never holds up the HTTP API. Each accepted mail is handed to the app's own loop (where the
database engine and the Kafka producer live) and the SMTP answer waits for the outcome: 250 once
the mail is stored as a complaint or an incomplete complaint, 451 (try again later) if that
failed, so a mail is never lost; the sender's server keeps it and retries.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, Final

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.intake.email.receiving import EmailOutcome, EmailReceipt

log = logging.getLogger("redress.intake.email")

# aiosmtpd logs every SMTP command at INFO, with peer and sender addresses: personal data.
AIOSMTPD_LOGGER: Final = "mail.log"

# RFC 5321 section 4.2 reply codes, with RFC 3463 enhanced status codes.
REPLY_RECIPIENT_OK: Final = "250 2.1.5 OK"
REPLY_UNKNOWN_RECIPIENT: Final = "550 5.1.1 No such mailbox: this server only takes complaints"
REPLY_COMPLAINT_RECEIVED: Final = "250 2.0.0 Received, thank you"
REPLY_NO_SENDER: Final = "550 5.1.7 We need a sender address to reply to"
REPLY_TRY_AGAIN: Final = "451 4.3.0 We could not store your mail just now; please try again later"

Receive = Callable[[bytes, "str | None"], Coroutine[Any, Any, EmailReceipt]]


class ComplaintsMailbox:
    """aiosmtpd handler: only the complaints address, and every mail handed to `receive`."""

    def __init__(
        self, complaints_address: str, receive: Receive, app_loop: asyncio.AbstractEventLoop
    ) -> None:
        self.complaints_address = complaints_address.strip().casefold()
        self.receive = receive
        self.app_loop = app_loop
        # The app's context (logging's service name, for one), for the work handed to its loop.
        self.app_context = contextvars.copy_context()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook naming
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().casefold() != self.complaints_address:
            return REPLY_UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        return REPLY_RECIPIENT_OK

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook naming
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        sender = envelope.mail_from
        handed_over: Future[EmailReceipt] = self.app_context.copy().run(
            asyncio.run_coroutine_threadsafe, self.receive(raw, sender), self.app_loop
        )
        try:
            receipt = await asyncio.wrap_future(handed_over)
        except Exception as error:
            log.error("could not take in an email (%s)", type(error).__name__, exc_info=True)
            return REPLY_TRY_AGAIN
        if receipt.outcome is EmailOutcome.NO_SENDER:
            return REPLY_NO_SENDER
        return REPLY_COMPLAINT_RECEIVED


class EmailListener:
    """Starts and stops the SMTP listener from the app's lifespan (`service.on_startup`)."""

    def __init__(
        self, *, host: str, port: int, complaints_address: str, receive: Receive, max_bytes: int
    ) -> None:
        self.host = host
        self.port = port
        self.complaints_address = complaints_address
        self.receive = receive
        self.max_bytes = max_bytes
        self._controller: Controller | None = None

    async def start(self) -> None:
        logging.getLogger(AIOSMTPD_LOGGER).setLevel(logging.WARNING)
        mailbox = ComplaintsMailbox(
            self.complaints_address, self.receive, asyncio.get_running_loop()
        )
        controller = Controller(
            mailbox,
            hostname=self.host,
            port=self.port,
            server_hostname="redress-intake",
            # Larger mail is answered 552 while it streams in (RFC 1870, RFC 5321 4.5.3.1.9).
            data_size_limit=self.max_bytes,
            enable_SMTPUTF8=True,
        )
        # start() blocks until the listening thread is up; keep it off the app's loop.
        await asyncio.to_thread(controller.start)
        self._controller = controller
        log.info("email listener on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            await asyncio.to_thread(controller.stop)
