"""What the local SMS gateway keeps and decides, whichever API a text came in by: the simulated
recipients, number and fragment rules, the texts on disk and the receipt delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import phonenumbers

from deploy.local.mail_server import write_atomically

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025  # docs/design.md §7: the local SMS gateway listens on 8025
DEFAULT_DIRECTORY = Path(".local/sms")  # docs/design.md §7: texts are kept under .local/sms/
MESSAGE_SUFFIX = ".json"
NOTIFY_SENDER = "Redress"  # the `from_number` Notify reports: the service's text sender name
# Notify parses numbers with region GB (docs/reference/notify-anchor.md §1 "Phone validation")
DEFAULT_REGION = "GB"

# OFCOM reserves 07700 900000-900999 for drama; phonenumbers calls them invalid but Notify accepts
# them (docs/reference/notify-anchor.md §1 "Phone validation"), and its simulated recipients live
# there.
OFCOM_DRAMA_PREFIX = "+447700900"
OFCOM_DRAMA_LENGTH = len("+447700900000")
# Notify's simulated numbers (docs/reference/notify-anchor.md §1 "Simulated / research").
PERMANENT_FAILURE_NUMBER = "+447700900002"
TEMPORARY_FAILURE_NUMBER = "+447700900003"

# Real receipts take seconds; a short delay keeps the ordering realistic (receipt after the 201)
# without slowing the tests down.
RECEIPT_DELAY_SECONDS = 0.1
# Notify's timeout for calling a service's callback URL (docs/reference/notify-anchor.md §1
# "Callbacks to services").
CALLBACK_TIMEOUT_SECONDS = 5.0

# SMS fragment maths (docs/reference/notify-anchor.md §1 "SMS fragments"): GSM-7 fits 160 characters
# in one fragment and 153 per fragment once split; UCS-2 fits 70, then 67.
GSM_SINGLE_FRAGMENT = 160
GSM_MULTI_FRAGMENT = 153
UCS2_SINGLE_FRAGMENT = 70
UCS2_MULTI_FRAGMENT = 67
GSM_BASIC_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED_CHARACTERS = frozenset("^{}\\[~]|€")  # each costs two GSM-7 characters


class Outcome(StrEnum):
    """Notify's final statuses (docs/reference/notify-anchor.md §1 "Status lifecycle")."""

    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"
    TEMPORARY_FAILURE = "temporary-failure"


def simulated_outcome(e164: str) -> Outcome:
    if e164 == PERMANENT_FAILURE_NUMBER:
        return Outcome.PERMANENT_FAILURE
    if e164 == TEMPORARY_FAILURE_NUMBER:
        return Outcome.TEMPORARY_FAILURE
    return Outcome.DELIVERED


def normalise_phone_number(raw: str) -> str | None:
    """E.164 form of a textable number, or None when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    is_drama = e164.startswith(OFCOM_DRAMA_PREFIX) and len(e164) == OFCOM_DRAMA_LENGTH
    if is_drama or phonenumbers.is_valid_number(parsed):
        return e164
    return None


def fragment_count(body: str) -> int:
    """How many SMS fragments a body costs (docs/reference/notify-anchor.md §1 "SMS fragments")."""
    if all(ch in GSM_BASIC_CHARACTERS or ch in GSM_EXTENDED_CHARACTERS for ch in body):
        length = sum(2 if ch in GSM_EXTENDED_CHARACTERS else 1 for ch in body)
        single, multi = GSM_SINGLE_FRAGMENT, GSM_MULTI_FRAGMENT
    else:
        length = len(body.encode("utf-16-le")) // 2  # UTF-16 code units
        single, multi = UCS2_SINGLE_FRAGMENT, UCS2_MULTI_FRAGMENT
    return 1 if length <= single else math.ceil(length / multi)


@dataclass
class GatewayState:
    directory: Path
    callback_url: str | None
    callback_bearer_token: str | None = None
    down: bool = False


@dataclass(frozen=True)
class StoredText:
    """One accepted text, as kept on disk and listed by `GET /_messages`."""

    id: str
    api: str
    to: str
    sender: str
    body: str
    reference: str | None
    num_segments: int
    outcome: Outcome
    created_at: datetime
    callback_url: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "api": self.api,
            "to": self.to,
            "from": self.sender,
            "body": self.body,
            "reference": self.reference,
            "num_segments": self.num_segments,
            "outcome": self.outcome.value,
            "created_at": self.created_at.isoformat(),
            "callback_url": self.callback_url,
        }


def store_text(directory: Path, text: StoredText) -> None:
    name = f"{text.created_at.strftime('%Y%m%dT%H%M%S%fZ')}-{text.id}{MESSAGE_SUFFIX}"
    write_atomically(directory / name, json.dumps(text.as_json(), indent=2).encode("utf-8"))


def load_texts(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(directory.glob("*.json"))]


async def post_receipt(
    url: str,
    *,
    form: dict[str, str] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Deliver a receipt; a failing callback is logged, never raised (the text was still sent)."""
    await asyncio.sleep(RECEIPT_DELAY_SECONDS)
    try:
        async with httpx.AsyncClient(timeout=CALLBACK_TIMEOUT_SECONDS) as client:
            response = await client.post(url, data=form, json=json_body, headers=headers)
        if response.is_error:
            logger.warning("receipt callback %s answered %d", url, response.status_code)
    except httpx.HTTPError as error:
        logger.warning("receipt callback %s failed: %r", url, error)
