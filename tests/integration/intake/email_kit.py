"""The intake service in-process with its SMTP listener on a real port, and helpers to send it
mail and look at what it kept: shared by the email channel's and the enquiry queue's tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest

from deploy.local.mail_server import read_mails
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from shared.auth import Role, issue_staff_token
from shared.documents.settings import DocumentStoreSettings
from shared.settings import DEVELOPMENT_AUTH_SECRET
from tests.integration.conftest_local_servers import LocalMailServer
from tests.kit.apps import LOCALHOST, count_rows, free_port, running
from tests.kit.waiting import wait_until

TODAY = datetime(2026, 7, 1, 10, 0, tzinfo=UTC).date()
COMPLAINTS_ADDRESS = "complaints@redress.localhost"
# Small enough to test the 552 refusal quickly, large enough for every other mail here.
TEST_MAX_BYTES = 64 * 1024
STAFF = {
    "Authorization": "Bearer "
    + issue_staff_token(DEVELOPMENT_AUTH_SECRET, sub="m1", name="Morgan", role=Role.MANAGER)
}


@dataclass
class Intake:
    client: httpx.AsyncClient
    app: Any
    smtp_port: int
    mail_dir: Path
    document_dir: Path  # where intake's sealed documents are kept


@pytest.fixture
async def intake(
    database_url: str, kafka_bootstrap: str, mail_server: LocalMailServer, tmp_path: Path
) -> AsyncIterator[Intake]:
    port = free_port()
    settings = IntakeSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
        smtp_listen_host=LOCALHOST,
        smtp_listen_port=port,
        complaints_address=COMPLAINTS_ADDRESS,
        smtp_host=mail_server.host,
        smtp_port=mail_server.port,
        email_max_bytes=TEST_MAX_BYTES,
    )
    # Documents under the test's own directory, never the checkout's .local/.
    documents = DocumentStoreSettings.model_validate(
        {"REDRESS_DOCUMENT_DIR": str(tmp_path / "documents")}
    )
    app = create_app(
        settings,
        clock=lambda: datetime.combine(TODAY, time(10, 0), tzinfo=UTC),
        document_store=documents,
    )
    async with running(app) as client:
        yield Intake(client, app, port, mail_server.directory, tmp_path / "documents" / "intake")


def a_mail(
    organisation: str | None,
    *,
    sender: str = "Jo Bloggs <jo@example.com>",
    subject: str = "Cancelled operation",
    body_extra: str = "",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = COMPLAINTS_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    facts = [
        f"Organisation: {organisation}" if organisation else "",
        "Sector: health",
        "Outcome wanted: An apology and a new date.",
        "When did you find out: 1 June 2026",
    ]
    message.set_content(
        "My operation was cancelled three times without notice.\n\n"
        + "\n".join(f for f in facts if f)
        + "\n"
        + body_extra
    )
    return message


async def send(intake: Intake, message: EmailMessage, **kwargs: Any) -> Any:
    return await aiosmtplib.send(message, hostname=LOCALHOST, port=intake.smtp_port, **kwargs)


# The email tests' name for it (tests/kit/apps.py).
count = count_rows


async def mails_in(directory: Path, wanted: int) -> list[EmailMessage]:
    async def enough() -> bool:
        return len(read_mails(directory)) >= wanted

    await wait_until(enough, within=15)
    return read_mails(directory)


def about(organisation: str) -> Callable[[dict[str, Any]], bool]:
    return lambda data: bool(data.get("organisation", {}).get("name") == organisation)


def unique_organisation() -> str:
    return f"Northshire NHS Trust {uuid.uuid4().hex[:8]}"
