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

log = logging.getLogger("redress.feedback.mail")

_TEXT_TEMPLATES = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "mail"),
    autoescape=False,  # plain text mail: nothing is interpreted as markup
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class OrganisationInvitation:
    to: str
    organisation: str
    reference: str
    survey_url: str
    closes_on: str  # "5 January 2027"
    reminder: bool


def invitation_email(invitation: OrganisationInvitation, mail_from: str) -> EmailMessage:
    """The invitation (or its reminder) as a plain-text email."""
    _name, from_address = email.utils.parseaddr(mail_from)
    message = EmailMessage(policy=email.policy.default)
    message["From"] = mail_from
    message["To"] = invitation.to
    prefix = "Reminder: " if invitation.reminder else ""
    message["Subject"] = (
        f"{prefix}How did we do? Our investigation of complaint {invitation.reference}"
    )
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(
        domain=from_address.rpartition("@")[2] or "redress.localhost"
    )
    message.set_content(
        _TEXT_TEMPLATES.get_template("organisation_invitation.txt").render(
            invitation=invitation, question_count=len(ORGANISATION_QUESTIONS)
        )
    )
    return message
