"""What notifications keeps about a complainant and a message: plain records, no storage.

The store (store.py) reads and writes them; the use cases and the rest of the domain work on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from shared.events import NotificationStatus

# Failure reasons are published and shown to staff: at most this long (the column's width).
FAILURE_REASON_LENGTH: Final = 500

Status = NotificationStatus


@dataclass(frozen=True)
class Contact:
    reference: str
    name: str
    email: str | None
    phone: str | None
    address: str | None
    preferred_contact: str
    reasonable_adjustments: tuple[str, ...]
    language: str | None
    tracking_token: str
    # The organisation as the complainant named it (their own words, so it goes only to them:
    # public events say "unlisted" until staff confirm the body), and its directory nation.
    organisation_name: str | None = None
    organisation_nation: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "address": self.address,
            "preferred_contact": self.preferred_contact,
            "reasonable_adjustments": list(self.reasonable_adjustments),
            "language": self.language,
            "tracking_token": self.tracking_token,
            "organisation_name": self.organisation_name,
            "organisation_nation": self.organisation_nation,
        }

    @classmethod
    def from_json(cls, reference: str, data: Mapping[str, Any]) -> Contact:
        return cls(
            reference=reference,
            name=str(data["name"]),
            email=data.get("email"),
            phone=data.get("phone"),
            address=data.get("address"),
            preferred_contact=str(data["preferred_contact"]),
            reasonable_adjustments=tuple(data.get("reasonable_adjustments") or ()),
            language=data.get("language"),
            tracking_token=str(data["tracking_token"]),
            organisation_name=data.get("organisation_name"),
            organisation_nation=data.get("organisation_nation"),
        )


@dataclass(frozen=True)
class NewMessage:
    id: str
    dedupe_key: str
    request_id: str
    reference: str
    template: str
    template_version: int
    personalisation: Mapping[str, Any]
    created_at: datetime
    channel: str | None = None


@dataclass(frozen=True)
class Message:
    id: str
    request_id: str
    reference: str
    template: str
    template_version: int
    channel: str | None
    status: Status
    attempts: int
    large_print: bool
    created_at: datetime
    send_after: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    failure_reason: str | None
    provider_message_id: str | None
    fragments: int | None
    dedupe_key: str
    queued_for_print_at: datetime | None
    personalisation: dict[str, Any] | None = field(repr=False)
    rendered: dict[str, Any] | None = field(repr=False)
    recipient: str | None = field(repr=False)
