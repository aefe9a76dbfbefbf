"""Feedback's mail to organisations in Welsh (issue 14; docs/welsh.md): Welsh first, then
English, in one mail, when the ombudsman is for Wales."""

from __future__ import annotations

from services.feedback.domain import ORGANISATION_QUESTIONS
from services.feedback.mail import BILINGUAL_TEXT_RULE, OrganisationInvitation, invitation_email

SURVEY_URL = "https://feedback.example/survey/tok"


def invitation(*, reminder: bool) -> OrganisationInvitation:
    return OrganisationInvitation(
        to="cwynion@caerdydd.gov.uk",
        organisation="Cyngor Caerdydd",
        reference="RDR-2027-ABC123",
        survey_url=SURVEY_URL,
        closes_on="5 January 2027",
        reminder=reminder,
    )


def test_the_invitation_in_welsh_first_then_english() -> None:
    mail = invitation_email(invitation(reminder=False), "feedback@ombwdsmon.cymru", welsh=True)
    assert mail["Subject"] == (
        "Sut wnaethon ni? Ein hymchwiliad i gŵyn RDR-2027-ABC123 / "
        "How did we do? Our investigation of complaint RDR-2027-ABC123"
    )
    assert mail["Content-Language"] == "cy, en"
    welsh, rule, english = mail.get_content().partition(BILINGUAL_TEXT_RULE)
    assert rule
    assert welsh.startswith("Annwyl gydweithiwr yn Cyngor Caerdydd,")
    assert f"{SURVEY_URL}?lang=cy" in welsh  # the Welsh half links to the Welsh page
    assert "tan 5 Ionawr 2027." in " ".join(welsh.split())
    assert f"{len(ORGANISATION_QUESTIONS)} o gwestiynau byr" in welsh
    assert "January" not in welsh
    assert english.strip().startswith("Dear colleague at Cyngor Caerdydd,")
    assert f"{SURVEY_URL}\n" in english
    assert "5 January 2027" in english


def test_the_welsh_reminder_says_it_is_one_in_both_languages() -> None:
    mail = invitation_email(invitation(reminder=True), "feedback@ombwdsmon.cymru", welsh=True)
    assert mail["Subject"].startswith("Nodyn atgoffa: Sut wnaethon ni?")
    assert " / Reminder: How did we do?" in mail["Subject"]
    welsh, _, english = mail.get_content().partition(BILINGUAL_TEXT_RULE)
    assert "mae amser o hyd" in welsh
    assert "there is still time" in english


def test_in_english_only_otherwise() -> None:
    mail = invitation_email(invitation(reminder=False), "feedback@ombudsman.gov.uk")
    assert mail["Content-Language"] is None
    assert "Annwyl" not in mail.get_content()
    assert BILINGUAL_TEXT_RULE not in mail.get_content()
