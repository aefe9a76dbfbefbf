"""How one message goes out, decided without I/O: its channel and address, its dedupe key, what a
provider's answer means, and the failure reasons that may be shown and published."""

from __future__ import annotations

import email.utils
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from services.notifications.domain.channels import choose_channels
from services.notifications.domain.records import FAILURE_REASON_LENGTH, Contact, Status
from services.notifications.domain.rendered import RenderedLetter, RenderedMessage
from services.notifications.domain.sms import (
    InvalidPhoneNumber,
    normalise_uk_or_international_phone,
)

# docs/design.md §4: the three delivery-status event types, by the status they report.
STATUS_EVENT_TYPES: Final[dict[Status, str]] = {
    Status.SENDING: "redress.notification.sent",
    Status.DELIVERED: "redress.notification.delivered",
    Status.TEMPORARY_FAILURE: "redress.notification.failed",
    Status.PERMANENT_FAILURE: "redress.notification.failed",
    Status.TECHNICAL_FAILURE: "redress.notification.failed",
}
# The recipient role in a dedupe key: today every message goes to the complainant.
COMPLAINANT_ROLE: Final = "complainant"
# Stands in for an address in failure reasons, which are shown to staff and published.
RECIPIENT_PLACEHOLDER: Final = "[recipient]"
LETTER_TIMEZONE: Final = ZoneInfo("Europe/London")  # a letter is dated by the UK calendar day


def dedupe_key(source_id: str, template: str, role: str = COMPLAINANT_ROLE) -> str:
    return f"{source_id}|{template}|{role}"


class Outcome(StrEnum):
    DELIVERED = "delivered"  # the provider took it and no receipt will follow
    ACCEPTED = "accepted"  # an SMS provider took it: `sending` until the receipt
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    reason: str | None = None
    provider_message_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """What to do with one due message: send it, hold it, or fail it without sending."""

    channel: str
    address: str | None = None
    rendered: RenderedMessage | None = None
    letter: RenderedLetter | None = None
    hold_until: datetime | None = None
    fail_as: Status | None = None
    reason: str | None = None


class ReceiptResult(StrEnum):
    UNKNOWN = "unknown"
    APPLIED = "applied"
    IGNORED = "ignored"


class PostingResult(StrEnum):
    """What confirming a letter as posted did."""

    POSTED = "posted"
    ALREADY_POSTED = "already-posted"
    NOT_PRINTED = "not-printed"  # not fetched from the print queue (or given up)
    UNKNOWN = "unknown"


def channels_for(contact: Contact) -> list[str]:
    return list(
        choose_channels(
            preferred(contact.preferred_contact),
            contact.reasonable_adjustments,
            has_email=bool(contact.email),
            has_phone=bool(contact.phone),
        )
    )


def preferred(value: str) -> Any:
    return value if value in ("email", "sms", "letter", "phone") else "email"


def first_reachable_channel(contact: Contact, suppressed: set[str]) -> str:
    chain = channels_for(contact)
    for channel in chain:
        address, _problem = address_for(contact, channel)
        if address is not None and address not in suppressed:
            return channel
    return chain[0]


def address_for(contact: Contact, channel: str) -> tuple[str | None, str]:
    """The address for `channel`, or None and why not (never quoting the address)."""
    if channel == "email":
        if not contact.email:
            return None, "no email address"
        return contact.email.strip(), ""
    if channel == "sms":
        if not contact.phone:
            return None, "no phone number"
        try:
            return normalise_uk_or_international_phone(contact.phone), ""
        except InvalidPhoneNumber:
            return None, "the phone number cannot receive text messages"
    if not contact.address:
        return None, "no postal address"
    return contact.address, ""


def addresses(contact: Contact) -> list[str]:
    found = [address_for(contact, channel)[0] for channel in ("email", "sms")]
    return [address for address in found if address]


def stored_body(channel: str, rendered: RenderedMessage) -> dict[str, str]:
    if channel == "sms":
        return {"text": rendered.sms}
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


def stored_letter(letter: RenderedLetter) -> dict[str, str]:
    return {"subject": letter.subject, "text": letter.text, "html": letter.html}


def simulated_delivery(outcome: str) -> Delivery:
    if outcome == "delivered":
        return Delivery(Outcome.DELIVERED, provider_message_id=f"simulated-{uuid.uuid4()}")
    if outcome == "temporary-failure":
        return Delivery(Outcome.TEMPORARY, reason="simulated temporary failure")
    return Delivery(Outcome.PERMANENT, reason="simulated permanent failure")


def scrub(reason: str, address: str) -> str:
    """Failure reasons are published and shown to staff: take the address out of them."""
    if address:
        for form in {address, address.lower(), address.lstrip("+")}:
            reason = reason.replace(form, RECIPIENT_PLACEHOLDER)
    return reason[:FAILURE_REASON_LENGTH]


def mail_domain(mail_from: str) -> str:
    _name, address = email.utils.parseaddr(mail_from)
    return address.rpartition("@")[2] or "redress.localhost"
