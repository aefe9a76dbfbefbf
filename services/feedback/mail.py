"""Inviting organisations investigated to their survey: mail sent by the feedback service itself.

Why here, and not a `NotificationRequested` with a new recipient field: notifications is built
around the complainant of a case (it looks the address up from the complaint it saw on the intake
topic, and its templates, channel preferences, suppression and retention all concern that
person), and `NotificationRequested` promises to carry no contact details. An organisation's
survey contact is kept by staff in this service (encrypted), is a work address, needs one
plain email and no SMS, letter or format preference. Sending it here keeps the address out of
Kafka altogether and leaves the notifications contract untouched; the cost is a second, much
smaller SMTP client, configured with the same `SMTP_*` and `MAIL_FROM` settings
(docs/design.md §6).

When the ombudsman is for Wales (`REDRESS_NATION=wales`: the organisations investigated are
Welsh bodies), the mail is Welsh and English, Welsh first, by the rule every service uses
(shared/welsh.py; docs/welsh.md): `organisation_invitation.cy.txt` beside the English.

Delivery is at least once: the scheduler sends inside the transaction that records the
invitation, so a failed send is retried on the next run, and a crash between the send and the
commit can repeat one invitation.
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from services.feedback.domain import ORGANISATION_QUESTIONS
from shared.kit.i18n import LANGUAGE_QUERY, long_date
from shared.kit.sentences import parse_english_date

log = logging.getLogger("redress.feedback.mail")

_TEXT_TEMPLATES = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "mail"),
    autoescape=False,  # plain text mail: nothing is interpreted as markup
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
# Between the Welsh and the English of the bilingual mail (the rule notifications' mail uses).
BILINGUAL_TEXT_RULE = "-" * 65


@dataclass(frozen=True)
class OrganisationInvitation:
    to: str
    organisation: str
    reference: str
    survey_url: str
    closes_on: str  # "5 January 2027"
    reminder: bool


def _subject(invitation: OrganisationInvitation, welsh: bool) -> str:
    reference = invitation.reference
    english = f"How did we do? Our investigation of complaint {reference}"
    if invitation.reminder:
        english = f"Reminder: {english}"
    if not welsh:
        return english
    cymraeg = f"Sut wnaethon ni? Ein hymchwiliad i gŵyn {reference}"
    if invitation.reminder:
        cymraeg = f"Nodyn atgoffa: {cymraeg}"
    return f"{cymraeg} / {english}"


def _welsh_text(invitation: OrganisationInvitation) -> str:
    day = parse_english_date(invitation.closes_on)
    return _TEXT_TEMPLATES.get_template("organisation_invitation.cy.txt").render(
        invitation=invitation,
        closes_on=long_date(day, "cy") if day else invitation.closes_on,
        # The Welsh half links to the survey in Welsh (the page remembers the choice).
        survey_url=f"{invitation.survey_url}?{LANGUAGE_QUERY}=cy",
        question_count=len(ORGANISATION_QUESTIONS),
    )


def invitation_email(
    invitation: OrganisationInvitation, mail_from: str, *, welsh: bool = False
) -> EmailMessage:
    """The invitation (or its reminder) as a plain-text email; `welsh`: Welsh first, then
    English, in one mail."""
    _name, from_address = email.utils.parseaddr(mail_from)
    message = EmailMessage(policy=email.policy.default)
    message["From"] = mail_from
    message["To"] = invitation.to
    message["Subject"] = _subject(invitation, welsh)
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(
        domain=from_address.rpartition("@")[2] or "redress.localhost"
    )
    text = _TEXT_TEMPLATES.get_template("organisation_invitation.txt").render(
        invitation=invitation, question_count=len(ORGANISATION_QUESTIONS)
    )
    if welsh:
        text = f"{_welsh_text(invitation)}\n{BILINGUAL_TEXT_RULE}\n\n{text}"
    message.set_content(text)
    if welsh:  # after set_content, which replaces every Content-* header
        message["Content-Language"] = "cy, en"  # RFC 3282
    return message
