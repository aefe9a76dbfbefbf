"""A real kill mid-send: the notifications service runs as its own process, and the SMTP server
kills it with SIGKILL once it has stored the mail but before it answers, so the service can
never save the outcome. Restarted, the service sends the mail again, once, with the same
Message-ID, and the message ends `delivered`, long before the claim timeout (600 s) would
have retried it (docs/architecture.md "Sending: at most one resend")."""

from __future__ import annotations

import asyncio
import email.policy
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from deploy.local.mail_server import FileStoreHandler
from services.notifications.domain.records import Message
from services.notifications.settings import NotificationsSettings
from services.notifications.store import MessageStore
from shared.db import Database
from shared.events import NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.integration.notifications.support import case_opened, complaint_received, mails_for
from tests.kit.apps import LOCALHOST, free_port
from tests.kit.kafka import Publisher
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]
# A cold start (migrations, Kafka consumer groups) on a busy 2-core machine.
READY_WAIT_SECONDS = 90.0
# From the complaint to the first mail, and from the restart to `delivered`: generous, and far
# below the 600 s claim timeout that alone would have recovered the mail before.
SEND_WAIT_SECONDS = 120.0
EXIT_WAIT_SECONDS = 20.0


class KillingMailHandler(FileStoreHandler):
    """Stores each mail like the local mail server; the first about `reference` while a
    victim is set, it then kills the victim with SIGKILL before answering, so the victim
    never hears that the mail was taken."""

    def __init__(self, directory: Path, reference: str) -> None:
        super().__init__(directory)
        self.reference = reference
        self.victim: subprocess.Popen[bytes] | None = None
        self.killed_message_id: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        mail = BytesParser(policy=email.policy.default).parsebytes(envelope.original_content or b"")
        victim = self.victim
        first = victim is not None and self.killed_message_id is None
        if victim is not None and first and self.reference in str(mail["Subject"]):
            # Nothing awaited after the kill: aiosmtpd cancels the handler once the client's
            # connection drops.
            self.killed_message_id = str(mail["Message-ID"])
            victim.send_signal(signal.SIGKILL)
        return reply


@pytest.fixture
def killing_mail_server(
    tmp_path: Path, unique: Callable[[str], str]
) -> Iterator[tuple[Controller, KillingMailHandler]]:
    handler = KillingMailHandler(tmp_path / "mail", unique("KILL"))
    controller = Controller(
        handler, hostname=LOCALHOST, port=free_port(), server_hostname="localhost"
    )
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def service_environment(
    settings: NotificationsSettings, smtp_port: int, recovery: dict[str, str]
) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "REDRESS_ENVIRONMENT": "test",
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "REDRESS_CONSUMER_GROUP_PREFIX": settings.consumer_group_prefix,
        "REDRESS_OUTBOX_POLL_SECONDS": "0.2",
        "NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "NOTIFICATIONS_HTTP_PORT": str(settings.http_port),
        "NOTIFICATIONS_SENDER_SECONDS": "0.2",
        "SMTP_HOST": LOCALHOST,
        "SMTP_PORT": str(smtp_port),
        "SMTP_TLS": "none",
        **recovery,
    }


def spawn(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "services.notifications"],
            env=environment,
            cwd=REPOSITORY,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def tail_of(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def notifications_process(
    environment: dict[str, str], log: Path
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`python -m services.notifications`, ready; stopped (if still alive) on the way out."""
    process = spawn(environment, log)
    try:
        url = f"http://{LOCALHOST}:{environment['NOTIFICATIONS_HTTP_PORT']}/readyz"
        async with httpx.AsyncClient(timeout=3.0) as client:

            async def ready() -> bool:
                assert process.poll() is None, tail_of(log)
                try:
                    return (await client.get(url)).status_code == httpx.codes.OK
                except httpx.HTTPError:
                    return False

            await wait_until(ready, READY_WAIT_SECONDS, interval=0.3)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, EXIT_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


async def the_message(settings: NotificationsSettings, reference: str, request_id: str) -> Message:
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            found = await MessageStore(session, settings.cipher()).for_reference(reference)
    finally:
        await db.dispose()
    [message] = [m for m in found if m.request_id == request_id]
    return message


RECOVERY_MODES = {
    # The restarted process holds the dead one's slot: it recovers at start-up.
    "same-slot": {"NOTIFICATIONS_INSTANCE_SLOT": "notifications-0"},
    # No slot: the dead process's heartbeat goes silent, and the timeout says it is gone.
    "silent-heartbeat": {
        "NOTIFICATIONS_INSTANCE_HEARTBEAT_SECONDS": "0.5",
        "NOTIFICATIONS_INSTANCE_TIMEOUT_SECONDS": "3",
    },
}


@pytest.mark.parametrize("mode", sorted(RECOVERY_MODES))
async def test_a_service_killed_mid_send_sends_the_mail_again_once_with_the_same_message_id(
    mode: str,
    make_settings: Callable[..., NotificationsSettings],
    killing_mail_server: tuple[Controller, KillingMailHandler],
    publisher: Publisher,
    tmp_path: Path,
) -> None:
    controller, handler = killing_mail_server
    reference = handler.reference
    settings = make_settings()
    environment = service_environment(settings, controller.port, RECOVERY_MODES[mode])
    log = tmp_path / "notifications.log"
    opened = case_opened(reference)

    async with notifications_process(environment, log) as first:
        handler.victim = first
        await publisher.publish(INTAKE_COMPLAINTS, complaint_received(reference))
        await publisher.publish(CASEWORK_CASES, opened)

        async def killed() -> bool:
            return handler.killed_message_id is not None

        await wait_until(killed, SEND_WAIT_SECONDS)
        await asyncio.to_thread(first.wait, EXIT_WAIT_SECONDS)
    assert first.returncode == -signal.SIGKILL
    handler.victim = None
    # The server took the mail, and the service died before saving that: still `sending`.
    cut_short = await the_message(settings, reference, opened.id)
    assert cut_short.status is NotificationStatus.SENDING
    assert cut_short.provider_message_id is None

    async with notifications_process(environment, log):

        async def delivered() -> bool:
            message = await the_message(settings, reference, opened.id)
            return message.status is NotificationStatus.DELIVERED

        await wait_until(delivered, SEND_WAIT_SECONDS, interval=0.3)

    message = await the_message(settings, reference, opened.id)
    copies = [
        m
        for m in mails_for(handler.directory, reference)
        if m["Message-ID"] == (handler.killed_message_id)
    ]
    # The copy taken before the kill, and the one resend: never more, never none.
    assert len(copies) == 2
    assert message.provider_message_id == handler.killed_message_id
    assert handler.killed_message_id == f"<{message.id}@redress.localhost>"
    assert message.attempts == 2
