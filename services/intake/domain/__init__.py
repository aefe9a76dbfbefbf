"""Intake's pure rules: what a valid complaint is, whether the ombudsman can help, who else can,
what happens next, references, and spotting a resubmission.

No I/O, no clock reads, no randomness of its own: callers pass `today`/`now` and a source of
randomness, so every rule here is deterministic under test. Numbers come from
`docs/reference/domain-rules.md` (rules.py cites each).
"""

from services.intake.domain.complaint import (
    PUBLIC_CHANNELS,
    STAFF_CHANNELS,
    Complainant,
    Complaint,
    EligibilityQuestion,
    IntakeChannel,
    ReasonableAdjustment,
    Representative,
)
from services.intake.domain.duplicates import (
    DuplicateKey,
    extract_postcode,
    likely_duplicate,
    normalise_text,
)
from services.intake.domain.eligibility import (
    EligibilityFacts,
    EligibilityResult,
    check_eligibility,
    is_out_of_time,
    is_premature,
    time_limit_ends_on,
)
from services.intake.domain.guidance import (
    AdvocacyService,
    advocacy_services,
    next_steps_after_submission,
)
from services.intake.domain.receiving import Received, receive
from services.intake.domain.references import (
    REFERENCE_ALPHABET,
    is_reference,
    new_reference,
    new_tracking_token,
)
from services.intake.domain.rules import DEFAULT_RULES, IntakeRules

__all__ = [
    "DEFAULT_RULES",
    "PUBLIC_CHANNELS",
    "REFERENCE_ALPHABET",
    "STAFF_CHANNELS",
    "AdvocacyService",
    "Complainant",
    "Complaint",
    "DuplicateKey",
    "EligibilityFacts",
    "EligibilityQuestion",
    "EligibilityResult",
    "IntakeChannel",
    "IntakeRules",
    "ReasonableAdjustment",
    "Received",
    "Representative",
    "advocacy_services",
    "check_eligibility",
    "extract_postcode",
    "is_out_of_time",
    "is_premature",
    "is_reference",
    "likely_duplicate",
    "new_reference",
    "new_tracking_token",
    "next_steps_after_submission",
    "normalise_text",
    "receive",
    "time_limit_ends_on",
]
