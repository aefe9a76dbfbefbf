"""Local SMTP server that keeps every accepted mail as an .eml file (docs/design.md §7).

Run it with `python -m deploy.local.mail_server --port 1025 --dir .local/mail`.

Some recipients simulate failures, after GOV.UK Notify's test addresses
(docs/reference/notify-anchor.md §1 "Simulated / research"), so bounce handling can be exercised
without a real mail provider:
`bounce@<any domain>` and `perm-fail@simulator.notify` are refused with 550 (permanent),
`temp-fail@simulator.notify` with 451 (temporary). Everything else is accepted and stored.
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import logging
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 1025  # docs/design.md §7: the local SMTP server listens on 1025
DEFAULT_DIRECTORY = Path(".local/mail")  # docs/design.md §7: mails are kept under .local/mail/
MAIL_SUFFIX = ".eml"
AIOSMTPD_LOGGER = "mail.log"

PERMANENT_FAILURE_LOCAL_PART = "bounce"
# Notify's simulated addresses (docs/reference/notify-anchor.md §1 "Simulated / research").
PERMANENT_FAILURE_ADDRESS = "perm-fail@simulator.notify"
TEMPORARY_FAILURE_ADDRESS = "temp-fail@simulator.notify"

# RFC 5321 section 4.2.3 reply codes, with RFC 3463 enhanced status codes.
REPLY_ACCEPTED = "250 2.1.5 OK"
REPLY_PERMANENT_FAILURE = "550 5.1.1 Mailbox unavailable (simulated permanent failure)"
REPLY_TEMPORARY_FAILURE = "451 4.2.0 Mailbox busy, try again later (simulated temporary failure)"
REPLY_STORED = "250 2.0.0 Message stored"


def simulated_reply(address: str) -> str | None:
    """The failure reply a simulated recipient gets, or None when the address is deliverable."""
    normalised = address.strip().lower()
    local_part, _, _domain = normalised.rpartition("@")
    if normalised == TEMPORARY_FAILURE_ADDRESS:
        return REPLY_TEMPORARY_FAILURE
    if normalised == PERMANENT_FAILURE_ADDRESS or local_part == PERMANENT_FAILURE_LOCAL_PART:
        return REPLY_PERMANENT_FAILURE
    return None


def mail_file_name(now: datetime, message_id: uuid.UUID) -> str:
    """Timestamp first, so a directory listing sorts mails in arrival order."""
    return f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{message_id.hex}{MAIL_SUFFIX}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a hidden temporary file, then rename, so readers never see half a mail."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def with_envelope_headers(envelope: Envelope) -> bytes:
    """The message as received, preceded by its envelope, which Bcc recipients only appear in."""
    content = envelope.original_content or b""
    lines = [f"X-Envelope-From: {envelope.mail_from}"]
    lines.extend(f"X-Envelope-To: {recipient}" for recipient in envelope.rcpt_tos)
    header = "".join(f"{line}\r\n" for line in lines).encode("utf-8")
    return header + content


class FileStoreHandler:
    """aiosmtpd handler: refuses simulated failures, stores everything else as .eml files.

    It also remembers which client connections delivered mail, so tests can check that a sender
    reuses one SMTP connection.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._delivering_peers: set[str] = set()

    @property
    def connection_count(self) -> int:
        """Distinct client connections that have delivered at least one mail."""
        return len(self._delivering_peers)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook naming
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = simulated_reply(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return REPLY_ACCEPTED

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook naming
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self._delivering_peers.add(repr(session.peer))
        path = self.directory / mail_file_name(datetime.now(UTC), uuid.uuid4())
        # File writes block; keep them off the loop that serves every connection.
        await asyncio.to_thread(write_atomically, path, with_envelope_headers(envelope))
        logger.info("stored mail for %s as %s", ", ".join(envelope.rcpt_tos), path.name)
        return REPLY_STORED


def start_mail_server(host: str, port: int, directory: Path) -> Controller:
    """Start the server in a background thread (for tests); call `.stop()` on the result.

    The handler is available as `controller.handler` (a `FileStoreHandler`).
    """
    controller = Controller(
        FileStoreHandler(directory), hostname=host, port=port, server_hostname="localhost"
    )
    controller.start()
    return controller


def read_mails(directory: Path) -> list[EmailMessage]:
    """Every stored mail, oldest first."""
    parser = BytesParser(policy=email.policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted_mail_files(directory)]


def sorted_mail_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{MAIL_SUFFIX}"))


async def serve(host: str, port: int, directory: Path) -> None:
    handler = FileStoreHandler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", enable_SMTPUTF8=True), host=host, port=port
    )
    logger.info("mail server listening on %s:%d, storing mail in %s", host, port, directory)
    async with server:
        await server.serve_forever()


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local SMTP server that stores mail as .eml")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, dest="directory")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mail %(message)s")
    # aiosmtpd logs every SMTP command at INFO; one line per stored mail is enough to follow.
    logging.getLogger(AIOSMTPD_LOGGER).setLevel(logging.WARNING)
    try:
        asyncio.run(serve(arguments.host, arguments.port, arguments.directory))
    except KeyboardInterrupt:
        logger.info("mail server stopped")


if __name__ == "__main__":
    main()
