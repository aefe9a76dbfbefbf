"""Simulated recipients: addresses that never reach a real person, with a known outcome.

They let tests, demos and smoke tests exercise every delivery path. Copied from GOV.UK Notify
(docs/reference/notify-anchor.md §1 "Simulated / research"): its research-mode numbers and
addresses give a temporary or permanent failure, and its smoke-test recipients are delivered.
"""

from __future__ import annotations

from typing import Final, Literal

import phonenumbers
from phonenumbers import NumberParseException

SimulatedOutcome = Literal["delivered", "temporary-failure", "permanent-failure"]

SIMULATED_PHONE_OUTCOMES: Final[dict[str, SimulatedOutcome]] = {
    "+447700900003": "temporary-failure",
    "+447700900002": "permanent-failure",
    # Notify's smoke-test numbers.
    "+447700900000": "delivered",
    "+447700900111": "delivered",
    "+447700900222": "delivered",
}

SIMULATED_EMAIL_OUTCOMES: Final[dict[str, SimulatedOutcome]] = {
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
    # Notify's smoke-test addresses.
    "simulate-delivered@notifications.service.gov.uk": "delivered",
    "simulate-delivered-2@notifications.service.gov.uk": "delivered",
    "simulate-delivered-3@notifications.service.gov.uk": "delivered",
}


def simulated_outcome(address: str) -> SimulatedOutcome | None:
    """The outcome a simulated recipient always gets, or None for a real address.

    Phone numbers match in any format ('07700 900003', '+44 7700 900003', '447700900003').
    """
    candidate = address.strip()
    if "@" in candidate:
        return SIMULATED_EMAIL_OUTCOMES.get(candidate.lower())
    return SIMULATED_PHONE_OUTCOMES.get(_phone_key(candidate) or "")


def is_simulated(address: str) -> bool:
    return simulated_outcome(address) is not None


def _phone_key(raw: str) -> str | None:
    digits = raw.lstrip()
    # '447700900003' without its '+' is an international number written carelessly.
    if digits.startswith("44") and not digits.startswith("+"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "GB")
    except NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
