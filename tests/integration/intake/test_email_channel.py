"""The inbound email channel on the real broker and both databases, with real SMTP both ways."""

from __future__ import annotations

import asyncio
import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import select

from deploy.local.mail_server import read_mails
from services.casework.app import create_app as create_casework_app
from services.casework.settings import CaseworkSettings
from services.intake.email.questions import enquiry_reference_in
from services.intake.store import complaints, incomplete_email_complaints
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.intake.email_kit import (
    COMPLAINTS_ADDRESS,
    STAFF,
    TEST_MAX_BYTES,
    Intake,
    a_mail,
    about,
    count,
    mails_in,
    send,
    unique_organisation,
)
from tests.integration.intake.topic_reading import first_event, reading_from_now
from tests.kit.apps import running
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration


async def test_a_mail_sent_to_the_complaints_address_becomes_a_case_on_the_real_broker(
    intake: Intake, kafka_bootstrap: str, tmp_path: Path
) -> None:
    casework = create_casework_app(
        CaseworkSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}",
            kafka_bootstrap_servers=kafka_bootstrap,
            consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
            deadline_check_seconds=3600,
        )
    )
    organisation = unique_organisation()
    async with (
        running(casework) as casework_client,
        reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic,
    ):
        await send(intake, a_mail(organisation))
        headers, data = await first_event(topic, about(organisation))
        assert headers["ce_type"] == "redress.complaint.received"
        assert data["channel"] == "email"
        assert data["complainant"]["email"] == "jo@example.com"
        assert data["complainant"]["preferred_contact"] == "email"
        reference = data["reference"]

        async def case_opened() -> bool:
            answer = await casework_client.get(f"/v1/cases/{reference}", headers=STAFF)
            return answer.status_code == 200

        await wait_until(case_opened, within=60)
        view = (await casework_client.get(f"/v1/cases/{reference}", headers=STAFF)).json()
        assert view["case"]["stage"] == "assessment"
        assert view["case"]["channel"] == "email"


async def test_a_mail_missing_the_organisation_gets_a_question_and_the_reply_completes_it(
    intake: Intake, kafka_bootstrap: str
) -> None:
    await send(intake, a_mail(None))
    assert await count(intake.app, complaints) == 0
    assert await count(intake.app, incomplete_email_complaints) == 1

    [question] = await mails_in(intake.mail_dir, 1)
    assert question["To"] == "Jo Bloggs <jo@example.com>"
    assert question["Auto-Submitted"] == "auto-replied"
    enquiry = enquiry_reference_in(str(question["Subject"]))
    assert enquiry is not None
    text = question.get_content()
    assert "Organisation: " in text
    assert "Sector:" not in text
    assert enquiry in text

    organisation = unique_organisation()
    answer = EmailMessage()
    answer["From"] = "Jo Bloggs <jo@example.com>"
    answer["To"] = COMPLAINTS_ADDRESS
    answer["Subject"] = f"Re: {question['Subject']}"
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    answer["In-Reply-To"] = question["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    answer.set_content(f"Organisation: {organisation}\n\nThanks\n\n{quoted}\n")
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        await send(intake, answer)
        _, data = await first_event(topic, about(organisation))
    assert data["channel"] == "email"
    assert data["organisation"]["sector"] == "health"
    assert await count(intake.app, complaints) == 1
    # The same reply again, and a later thank-you, add nothing.
    await send(intake, answer)
    del answer["Message-ID"]
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    await send(intake, answer)
    assert await count(intake.app, complaints) == 1
    assert len(read_mails(intake.mail_dir)) == 1  # no further questions either
    async with intake.app.state.service.db.sessions() as session:
        row = (await session.execute(select(incomplete_email_complaints))).one()
    assert row.completed_reference == data["reference"]
    assert row.personal_data is None  # it now lives with the complaint only


async def test_the_same_mail_delivered_twice_makes_one_complaint(intake: Intake) -> None:
    message = a_mail(unique_organisation())
    await send(intake, message)
    await send(intake, message)
    await asyncio.gather(send(intake, message), send(intake, message))
    assert await count(intake.app, complaints) == 1

    incomplete = a_mail(None)
    await send(intake, incomplete)
    await send(intake, incomplete)
    assert await count(intake.app, incomplete_email_complaints) == 1
    assert len(await mails_in(intake.mail_dir, 1)) == 1


async def test_other_recipients_and_huge_mail_are_refused(intake: Intake) -> None:
    message = a_mail(unique_organisation())
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await send(intake, message, recipients=["someone.else@redress.localhost"])
    assert refused.value.recipients[0].code == 550

    huge = a_mail(unique_organisation(), body_extra="x" * (TEST_MAX_BYTES + 1))
    with pytest.raises(aiosmtplib.SMTPResponseException) as too_big:
        await send(intake, huge)
    assert too_big.value.code == 552
    assert await count(intake.app, complaints) == 0


async def test_a_reply_from_someone_else_does_not_complete_another_persons_enquiry(
    intake: Intake,
) -> None:
    await send(intake, a_mail(None))
    [question] = await mails_in(intake.mail_dir, 1)
    stranger = a_mail(
        None,
        sender="Mallory <mallory@example.net>",
        subject=f"Re: {question['Subject']}",
        body_extra=f"Organisation: {unique_organisation()}\n",
    )
    await send(intake, stranger)
    # The stranger's mail is a complaint of their own; Jo's enquiry still waits for Jo.
    assert await count(intake.app, complaints) == 1
    async with intake.app.state.service.db.sessions() as session:
        row = (await session.execute(select(incomplete_email_complaints))).one()
    assert row.completed_reference is None
    assert row.personal_data is not None
