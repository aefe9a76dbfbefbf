"""Intake's own mail in Welsh (issue 14; docs/welsh.md): the question mail asking for missing
details is Welsh first for someone who asked for Welsh or when the ombudsman is for Wales, and
a reply written with the Welsh labels completes the complaint."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.intake.email.receiving import EmailIntake, EmailOutcome
from services.intake.store import IntakeStores
from shared.events import ComplaintReceived
from shared.kit.i18n import sentence_translator
from tests.kit.work import FakeUnitOfWork

from .test_use_cases import NOW, FakeMailer, a_mail, intake, uow

__all__ = ["uow"]  # the fixture, shared with the use cases' tests

WELSH = sentence_translator(
    Path(__file__).resolve().parents[3] / "services" / "intake" / "locale", "cy"
)


def channel(uow: FakeUnitOfWork[IntakeStores], mailer: FakeMailer, nation: str) -> EmailIntake:
    return EmailIntake(
        uow,  # type: ignore[arg-type]
        intake(uow),
        mailer,
        mail_from="Redress <no-reply@redress.localhost>",
        max_replies=2,
        clock=lambda: NOW,
        nation=nation,
        welsh=WELSH,
    )


def _welsh_first(text: str) -> None:
    welsh = text.index("Diolch am eich e-bost.")
    english = text.index("Thank you for your email.")
    assert welsh < text.index("-" * 65) < english
    assert "Sefydliad: " in text[:english]
    assert "Organisation: " in text[english:]


@pytest.mark.parametrize(
    ("nation", "body_extra", "header"),
    [
        ("england", "Language: cy\n", b""),
        ("england", "Iaith: Cymraeg\n", b""),
        ("england", "", b"Content-Language: cy\r\n"),  # a mail client set to Welsh
        ("wales", "", b""),
    ],
)
async def test_the_question_mail_is_welsh_first_when_welsh_is_asked_for_or_the_body_is_welsh(
    uow: FakeUnitOfWork[IntakeStores], nation: str, body_extra: str, header: bytes
) -> None:
    mailer = FakeMailer()
    body = "Gohiriwyd fy llawdriniaeth.\n\nSector: health\nOutcome wanted: Ymddiheuriad.\n"
    body += "When did you find out: 1 March 2026\n" + body_extra
    await channel(uow, mailer, nation).receive(
        header + a_mail(organisation=None, body=body), "jo@example.com"
    )
    [question] = mailer.sent
    assert "[Ymholiad / Enquiry ENQ-" in str(question["Subject"])
    assert question["Content-Language"] == "cy, en"
    _welsh_first(question.get_content())


async def test_otherwise_the_question_mail_is_in_english_only(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    await channel(uow, mailer, "england").receive(a_mail(organisation=None), "jo@example.com")
    [question] = mailer.sent
    text = question.get_content()
    assert "Organisation: " in text
    assert "Diolch" not in text
    assert "Ymholiad" not in str(question["Subject"])
    assert question["Content-Language"] is None


async def test_a_reply_with_the_welsh_labels_completes_the_complaint(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    email = channel(uow, mailer, "wales")
    body = "Gohiriwyd fy llawdriniaeth.\n\nSector: iechyd\n"
    asked = await email.receive(a_mail(organisation=None, body=body), "jo@example.com")
    assert asked.outcome is EmailOutcome.ASKED
    [question] = mailer.sent
    text = question.get_content()
    assert "Pryd daethoch i wybod: " in text
    assert "(We could not use" not in text  # nothing was refused, only missing
    answer = "Sefydliad: Bwrdd Iechyd Prifysgol\nCanlyniad a ddymunir: Ymddiheuriad.\n"
    answer += "Pryd daethoch i wybod: 1 Mawrth 2026\n"
    completed = await email.receive(
        a_mail(subject=f"Re: {question['Subject']}", body=answer), "jo@example.com"
    )
    assert completed.outcome is EmailOutcome.COMPLAINT
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert event.organisation.name == "Bwrdd Iechyd Prifysgol"
    assert event.organisation.sector == "health"
    assert event.first_aware_on.isoformat() == "2026-03-01"


async def test_an_iaith_line_makes_the_complaint_welsh_for_everything_sent_later(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    body = "Gohiriwyd fy llawdriniaeth.\n\nSefydliad: Bwrdd Iechyd\nSector: iechyd\n"
    body += "Canlyniad a ddymunir: Ymddiheuriad.\nPryd daethoch i wybod: 1 Mawrth 2026\n"
    body += "Iaith: Cymraeg\n"
    receipt = await channel(uow, FakeMailer(), "england").receive(
        a_mail(body=body), "jo@example.com"
    )
    assert receipt.outcome is EmailOutcome.COMPLAINT
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert event.complainant.language == "cy"
    assert event.organisation.name == "Bwrdd Iechyd"
