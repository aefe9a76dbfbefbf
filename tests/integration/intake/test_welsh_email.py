"""Intake's question mail in Welsh, through the real SMTP listener and the real mail server
(issue 14; docs/welsh.md): Welsh first for a complainant who asked for Welsh."""

from __future__ import annotations

import pytest

from services.intake.email.questions import enquiry_reference_in
from services.intake.store import complaints, incomplete_email_complaints
from tests.integration.intake.email_kit import Intake, a_mail, count, mails_in, send

pytestmark = pytest.mark.integration


async def test_a_complainant_who_asks_for_welsh_gets_the_missing_details_mail_welsh_first(
    intake: Intake,
) -> None:
    await send(intake, a_mail(None, body_extra="Iaith: Cymraeg\n"))
    assert await count(intake.app, complaints) == 0
    assert await count(intake.app, incomplete_email_complaints) == 1

    [question] = await mails_in(intake.mail_dir, 1)
    subject = str(question["Subject"])
    assert subject.startswith("Re: Cancelled operation [Ymholiad / Enquiry ENQ-")
    enquiry = enquiry_reference_in(subject)
    assert enquiry is not None
    assert question["Content-Language"] == "cy, en"
    text = question.get_content().replace("\r\n", "\n")  # SMTP's line ends
    welsh, rule, english = text.partition("\n" + "-" * 65 + "\n")
    assert rule, text
    assert welsh.startswith("Annwyl Jo Bloggs,\n")
    assert f"Cyfeirnod eich ymholiad yw {enquiry}." in welsh
    assert "\nSefydliad: \n" in welsh
    assert "Organisation:" not in welsh
    assert "Tîm cwynion yr Ombwdsmon" in welsh
    assert english.lstrip().startswith("Dear Jo Bloggs,\n")
    assert "\nOrganisation: \n" in english
