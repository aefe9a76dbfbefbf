"""A complaint as intake holds it: parsed once from whichever channel brought it (the API, the
form, an email, staff), already valid, and the facts every rule below it works from.

`record()` is the complaint as submitted, as JSON: it is what intake keeps (encrypted), and its
digest is the fingerprint that tells a repeated Idempotency-Key from a reused one. Its shape is
the `POST /v1/complaints` body (docs/design.md §5), so fingerprints of complaints stored before
stay valid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from services.intake.domain.duplicates import DuplicateKey
from shared.events import ContactMethod, Organisation, Sector


class ReasonableAdjustment(StrEnum):
    """Adjustments we can make (Equality Act 2010; the list follows
    docs/reference/domain-rules.md §4)."""

    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"
    BRAILLE = "braille"
    AUDIO = "audio"
    BSL = "bsl"
    INTERPRETER = "interpreter"
    ANOTHER_LANGUAGE = "another_language"
    MORE_TIME = "more_time"
    PLAIN_ENGLISH = "plain_english"
    PHONE_INSTEAD_OF_WRITING = "phone_instead_of_writing"
    ADVOCATE = "advocate"


class IntakeChannel(StrEnum):
    """How a complaint reached us; `staff` in `shared.events.Channel` is not a public choice."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"


# Channels by who may enter them: the public directly, or staff for someone who phoned or wrote.
PUBLIC_CHANNELS = frozenset({IntakeChannel.WEB, IntakeChannel.EMAIL})
STAFF_CHANNELS = frozenset({IntakeChannel.PHONE, IntakeChannel.LETTER})


@dataclass(frozen=True, slots=True)
class Complainant:
    name: str
    preferred_contact: ContactMethod
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    reasonable_adjustments: tuple[ReasonableAdjustment, ...] = ()
    adjustment_details: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Representative:
    """The person the complainant is complaining for (HSCA 1993 s9(3))."""

    name: str
    relationship: str
    has_authority: bool


@dataclass(frozen=True, slots=True)
class Complaint:
    complainant: Complainant
    organisation: Organisation
    summary: str
    desired_outcome: str
    first_aware_on: date
    on_behalf_of: Representative | None = None
    impact: str | None = None
    complained_to_organisation_on: date | None = None
    organisation_response_on: date | None = None
    # Asked for when the complaint may be late (docs/reference/domain-rules.md §1.1: the PHSO
    # form asks for it).
    reason_for_delay: str | None = None
    mp_referral: bool = False
    needs_support: bool = False
    channel: IntakeChannel = IntakeChannel.WEB

    # What the eligibility check reads (eligibility.EligibilityFacts) --------------------------

    @property
    def sector(self) -> Sector:
        return self.organisation.sector

    @property
    def representative_has_authority(self) -> bool | None:
        return None if self.on_behalf_of is None else self.on_behalf_of.has_authority

    # ------------------------------------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        """The complaint as submitted, as JSON (the `POST /v1/complaints` body's shape)."""
        person = self.complainant
        representative = self.on_behalf_of
        return {
            "complainant": {
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "address": person.address,
                "preferred_contact": person.preferred_contact.value,
                "reasonable_adjustments": [a.value for a in person.reasonable_adjustments],
                "adjustment_details": person.adjustment_details,
                "language": person.language,
            },
            "on_behalf_of": None
            if representative is None
            else {
                "name": representative.name,
                "relationship": representative.relationship,
                "has_authority": representative.has_authority,
            },
            # Without an absent id, so fingerprints from before the directory still match.
            "organisation": self.organisation.model_dump(mode="json", exclude_none=True),
            "summary": self.summary,
            "desired_outcome": self.desired_outcome,
            "impact": self.impact,
            "first_aware_on": self.first_aware_on.isoformat(),
            "complained_to_organisation_on": _iso(self.complained_to_organisation_on),
            "organisation_response_on": _iso(self.organisation_response_on),
            "reason_for_delay": self.reason_for_delay,
            "mp_referral": self.mp_referral,
            "needs_support": self.needs_support,
            "channel": self.channel.value,
        }

    def fingerprint(self) -> str:
        """A digest of `record()`: the same complaint sent twice has the same fingerprint."""
        canonical = json.dumps(self.record(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def duplicate_key(self, reference: str, received_at: datetime) -> DuplicateKey:
        return DuplicateKey(
            reference=reference,
            received_at=received_at,
            name=self.complainant.name,
            organisation_name=self.organisation.name,
            summary=self.summary,
            email=self.complainant.email,
            phone=self.complainant.phone,
            address=self.complainant.address,
        )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class EligibilityQuestion:
    """The facts the pre-check asks for (`POST /v1/eligibility`): nothing is stored."""

    sector: Sector
    first_aware_on: date
    complained_to_organisation_on: date | None = None
    organisation_response_on: date | None = None
    mp_referral: bool = False
    # None when people complain for themselves; else whether they have authority.
    representative_has_authority: bool | None = None
