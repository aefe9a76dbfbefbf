"""Pure intake rules: eligibility, advocacy signposting, references and duplicate detection.

No I/O, no clock reads, no randomness of its own: callers pass `today`/`now` and a source of
randomness, so every rule here is deterministic under test.

Numbers come from `docs/reference/domain-rules.md`, cited by section.
"""

from __future__ import annotations

import re
import unicodedata
from base64 import urlsafe_b64encode
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Protocol

from dateutil.relativedelta import relativedelta

from shared.events import EligibilityFlags, Sector

# --------------------------------------------------------------------------------------------
# Rules (configuration with sourced defaults)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntakeRules:
    """Intake rule settings. Every default cites its source; all of them are configuration."""

    # docs/reference/domain-rules.md §0 `phso.time_limit`, §1.1: HSCA 1993 s9(4) "more than a year
    # after the day on which the person aggrieved first had notice"; PCA 1967 s6(3) for
    # parliamentary complaints.
    time_limit_months: int = 12
    # docs/reference/domain-rules.md §0 `phso.time_limit_discretion`: "unless he considers it
    # reasonable to do so".
    time_limit_discretion: bool = True
    # docs/reference/domain-rules.md §6: whether the anniversary day itself is still in time is
    # UNCONFIRMED; in time means `today <= first_aware_on + 12 months` by default.
    time_limit_boundary_inclusive: bool = True
    # docs/reference/domain-rules.md §0 `phso.parliamentary.requires_mp_referral`: PCA 1967 s5(1),
    # the "MP filter".
    parliamentary_requires_mp_referral: bool = True
    # docs/reference/domain-rules.md §0 `phso.local_resolution_required`: HSCA 1993 s9(5), the body
    # must have had "a reasonable opportunity to investigate and reply".
    local_resolution_required: bool = True
    # docs/reference/domain-rules.md §2.1: NHS bodies must respond within 6 months
    # (SI 2009/309; SI 2012/3094 reg 29). We treat a complaint with no response after this long as
    # no longer premature ("clearly not making progress", docs/reference/domain-rules.md §1.1). The
    # same default is used for other sectors [UNCONFIRMED].
    reasonable_response_wait_months: int = 6
    # docs/reference/domain-rules.md §1.1: while Parliament is dissolved there are no MPs, so
    # parliamentary complaints "cannot by law" be accepted; health complaints are unaffected. An
    # operator switch.
    parliament_dissolved: bool = False
    # docs/reference/domain-rules.md §1.6: acknowledge letters within 2 working days (emails within
    # 1). We promise the slower figure because we do not know which one the complainant will get.
    acknowledgement_working_days: int = 2
    # docs/reference/domain-rules.md §1.6: "We aim to give you our decision within 20 working days
    # of receiving your complaint."
    assessment_decision_working_days: int = 20
    # Design choice (no source): resubmissions after a failed submission or a worried second try
    # cluster within days; a month keeps the comparison set small.
    duplicate_window_days: int = 30
    # `difflib.get_close_matches` uses 0.6 as its default cutoff for "close enough" strings; the
    # same ratio catches a retyped or lightly edited account while two different complaints
    # about the same organisation usually score well below it.
    duplicate_similarity_threshold: float = 0.6
    # Bounds SequenceMatcher's quadratic worst case on 10,000-character summaries: the opening
    # of an account is enough to recognise a resubmission.
    duplicate_compare_chars: int = 2_000


DEFAULT_RULES = IntakeRules()


# --------------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------------


class EligibilityFacts(Protocol):
    """What the eligibility check needs; both request models provide it."""

    @property
    def sector(self) -> Sector: ...

    @property
    def first_aware_on(self) -> date: ...

    @property
    def complained_to_organisation_on(self) -> date | None: ...

    @property
    def organisation_response_on(self) -> date | None: ...

    @property
    def mp_referral(self) -> bool: ...

    @property
    def representative_has_authority(self) -> bool | None:
        """None when people complain for themselves; else whether they have authority."""
        ...


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """The pre-check outcome. `eligible=False` never stops a complaint being stored: it flags
    the complaint for the caseworker, who decides (discretion may apply)."""

    eligible: bool
    reasons: list[str]
    next_steps: list[str]
    flags: EligibilityFlags
    parliament_dissolved: bool = False


@dataclass(slots=True)
class _Findings:
    reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


def time_limit_ends_on(first_aware_on: date, rules: IntakeRules) -> date:
    """The last day a complaint is in time (calendar months; 29 Feb clamps to 28 Feb,
    docs/reference/domain-rules.md §6)."""
    anniversary: date = first_aware_on + relativedelta(months=rules.time_limit_months)
    return anniversary if rules.time_limit_boundary_inclusive else anniversary - timedelta(days=1)


def is_out_of_time(first_aware_on: date, today: date, rules: IntakeRules) -> bool:
    return today > time_limit_ends_on(first_aware_on, rules)


def is_premature(facts: EligibilityFacts, today: date, rules: IntakeRules) -> bool:
    """True when the organisation has not yet had a reasonable chance to reply (HSCA s9(5))."""
    if not rules.local_resolution_required:
        return False
    complained_on = facts.complained_to_organisation_on
    if complained_on is None:
        return True
    if facts.organisation_response_on is not None:
        return False
    wait = relativedelta(months=rules.reasonable_response_wait_months)
    reasonable_wait_ends: date = complained_on + wait
    return today < reasonable_wait_ends


def _explain_out_of_time(findings: _Findings, facts: EligibilityFacts, rules: IntakeRules) -> None:
    ends_on = time_limit_ends_on(facts.first_aware_on, rules)
    findings.reasons.append(
        f"You normally need to complain to us within {rules.time_limit_months} months of "
        f"finding out about the problem. For you, that was by {ends_on.day} {ends_on:%B %Y}."
    )
    if rules.time_limit_discretion:
        findings.next_steps.append(
            "We can still look at a late complaint if there is a good reason. "
            "Tell us why you could not complain sooner. "
            "For example, illness, bereavement, or a delay by the organisation."
        )


def _explain_premature(findings: _Findings, facts: EligibilityFacts, rules: IntakeRules) -> None:
    if facts.complained_to_organisation_on is None:
        findings.reasons.append(
            "You need to complain to the organisation first. "
            "The law says they must have the chance to put things right."
        )
        findings.next_steps.extend(
            [
                "Complain to the organisation first. Ask them for their complaints procedure.",
                "Keep a copy of your complaint and the date you sent it.",
                "Come back to us if you are unhappy with their final reply.",
            ]
        )
        return
    findings.reasons.append(
        "The organisation has not replied to your complaint yet. "
        f"They normally have up to {rules.reasonable_response_wait_months} months to reply."
    )
    findings.next_steps.extend(
        [
            "Wait for the organisation's final reply, then come back to us.",
            "If they have stopped replying to you, tell us. We may be able to act sooner.",
        ]
    )


def _explain_mp_filter(findings: _Findings) -> None:
    findings.reasons.append(
        "The law says complaints about UK government departments must come to us through an MP."
    )
    findings.next_steps.extend(
        [
            "Ask your MP to send your complaint to us. Any MP can do this, not only your own.",
            "Do this within 12 months of finding out about the problem.",
        ]
    )


def _explain_parliament_dissolved(findings: _Findings) -> None:
    findings.reasons.append(
        "Parliament is dissolved for a general election, so there are no MPs right now. "
        "By law we cannot accept new complaints about UK government departments until MPs "
        "are elected."
    )
    findings.next_steps.append(
        "Ask your MP to refer your complaint once the election is over. "
        "Complaints about the NHS are not affected."
    )


def _explain_no_authority(findings: _Findings) -> None:
    findings.reasons.append(
        "You are complaining for someone else, but have not said you have their permission. "
        "Someone else can complain for a person who has died or cannot act for themselves. "
        "Otherwise we need that person's permission."
    )
    findings.next_steps.append(
        "Ask the person to give you written permission to complain for them. "
        "If they cannot act for themselves, tell us why, and how you are related to them."
    )


def check_eligibility(
    facts: EligibilityFacts, today: date, rules: IntakeRules = DEFAULT_RULES
) -> EligibilityResult:
    """Apply the statutory checks (docs/reference/domain-rules.md §1.1): properly made, in time,
    not premature."""
    findings = _Findings()
    is_parliamentary = facts.sector is Sector.PARLIAMENTARY

    dissolved = is_parliamentary and rules.parliament_dissolved
    if dissolved:
        _explain_parliament_dissolved(findings)

    needs_mp = (
        is_parliamentary
        and rules.parliamentary_requires_mp_referral
        and not facts.mp_referral
        and not dissolved
    )
    if needs_mp:
        _explain_mp_filter(findings)

    # HSCA 1993 s9(3): only the person aggrieved, or someone for them if they cannot act.
    without_authority = facts.representative_has_authority is False
    if without_authority:
        _explain_no_authority(findings)

    out_of_time = is_out_of_time(facts.first_aware_on, today, rules)
    if out_of_time:
        _explain_out_of_time(findings, facts, rules)

    premature = is_premature(facts, today, rules)
    if premature:
        _explain_premature(findings, facts, rules)

    eligible = not findings.reasons
    flags = EligibilityFlags(
        eligible=eligible,
        reasons=list(findings.reasons),
        out_of_time=out_of_time,
        premature=premature,
        needs_mp_referral=needs_mp,
        representative_without_authority=without_authority,
    )
    return EligibilityResult(
        eligible=eligible,
        reasons=findings.reasons,
        next_steps=findings.next_steps,
        flags=flags,
        parliament_dissolved=dissolved,
    )


# --------------------------------------------------------------------------------------------
# Advocacy signposting (docs/reference/domain-rules.md §4) and what happens next
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdvocacyService:
    name: str
    description: str
    url: str | None = None
    phone: str | None = None


NHS_COMPLAINTS_ADVOCACY = AdvocacyService(
    name="NHS complaints advocacy",
    description=(
        "Free, independent help to make a complaint about the NHS, including a complaint to us. "
        "Every local council in England must arrange it. Contact your local council to find "
        "your service."
    ),
    url="https://www.gov.uk/find-local-council",
)
POHWER = AdvocacyService(
    name="POhWER",
    description=(
        "A charity that gives free, independent advocacy. In many areas it provides NHS "
        "complaints advocacy."
    ),
    url="https://www.pohwer.net",
)
CITIZENS_ADVICE = AdvocacyService(
    name="Citizens Advice",
    description="Free, confidential advice, including on how to complain about public services.",
    url="https://www.citizensadvice.org.uk",
)
HEALTHWATCH = AdvocacyService(
    name="Healthwatch",
    description=(
        "The independent champion for people who use health and social care services. "
        "Your local Healthwatch can tell you where to get help with a complaint."
    ),
    url="https://www.healthwatch.co.uk",
)
YOUR_MP = AdvocacyService(
    name="Your MP's office",
    description=(
        "Complaints about UK government departments must come to us through an MP. "
        "Your MP's office can help you and refer your complaint."
    ),
    url="https://members.parliament.uk",
)

_ADVOCACY_BY_SECTOR: dict[Sector, tuple[AdvocacyService, ...]] = {
    # s223A Local Government and Public Involvement in Health Act 2007
    # (docs/reference/domain-rules.md §4) comes first: it is the statutory service and covers
    # complaints to the Health Service Commissioner.
    Sector.HEALTH: (NHS_COMPLAINTS_ADVOCACY, POHWER, CITIZENS_ADVICE, HEALTHWATCH),
    Sector.PARLIAMENTARY: (YOUR_MP, CITIZENS_ADVICE),
    Sector.OTHER: (CITIZENS_ADVICE,),
}


def advocacy_services(sector: Sector, needs_support: bool) -> list[AdvocacyService]:
    """Who can help. Everyone sees the first signpost; people who ask for support see them all."""
    services = _ADVOCACY_BY_SECTOR[sector]
    return list(services) if needs_support else list(services[:1])


def next_steps_after_submission(
    eligibility: EligibilityResult, rules: IntakeRules = DEFAULT_RULES
) -> list[str]:
    """Plain-English steps shown on the confirmation page and in the API response."""
    steps = [
        f"We will confirm we have your complaint within "
        f"{rules.acknowledgement_working_days} working days.",
        f"A caseworker will decide whether we can look into your complaint within "
        f"{rules.assessment_decision_working_days} working days. "
        "We will tell you what they decide.",
    ]
    if not eligibility.eligible:
        steps.append(
            "From what you told us, we may not be able to look into your complaint yet. "
            "A caseworker will check this with you."
        )
        steps.extend(eligibility.next_steps)
    steps.extend(
        [
            "Complaining will not affect the service you get from the organisation.",
            # HSCA 1993 s11(2), s15 (docs/reference/domain-rules.md §5): private, limited
            # disclosure, shared with the body.
            "We keep what you tell us confidential. We share it with the organisation only so "
            "they can answer your complaint.",
        ]
    )
    return steps


# --------------------------------------------------------------------------------------------
# References and tracking tokens
# --------------------------------------------------------------------------------------------

REFERENCE_PREFIX = "RDR"
# No 0/O, 1/I/L or U: easy to read aloud and type from a letter (Crockford-style).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# 30**6 is about 729 million per year; the store's unique constraint catches the rare clash.
REFERENCE_RANDOM_LENGTH = 6
REFERENCE_PATTERN = re.compile(
    rf"^{REFERENCE_PREFIX}-\d{{4}}-[{REFERENCE_ALPHABET}]{{{REFERENCE_RANDOM_LENGTH}}}$"
)
# 256 bits: the token is the only secret guarding a complainant's tracking page (docs/design.md §5).
TRACKING_TOKEN_BYTES = 32


def new_reference(now: datetime, choose: Callable[[Sequence[str]], str]) -> str:
    """A case reference like `RDR-2026-7K3M9Q`; pass `secrets.choice` as `choose`."""
    suffix = "".join(choose(REFERENCE_ALPHABET) for _ in range(REFERENCE_RANDOM_LENGTH))
    return f"{REFERENCE_PREFIX}-{now.year:04d}-{suffix}"


def is_reference(text: str) -> bool:
    return REFERENCE_PATTERN.fullmatch(text) is not None


def new_tracking_token(token_bytes: Callable[[int], bytes]) -> str:
    """A URL-safe secret; pass `secrets.token_bytes` as `token_bytes`."""
    raw = token_bytes(TRACKING_TOKEN_BYTES)
    if len(raw) != TRACKING_TOKEN_BYTES:
        raise ValueError(f"expected {TRACKING_TOKEN_BYTES} random bytes, got {len(raw)}")
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# --------------------------------------------------------------------------------------------
# Duplicate detection
# --------------------------------------------------------------------------------------------

# The outward and inward parts of a UK postcode, spaces optional ("SW1A 1AA", "m11ae").
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Case-, width- and spacing-insensitive form for comparisons only (never for storage)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def extract_postcode(address: str | None) -> str | None:
    if not address:
        return None
    matches = _UK_POSTCODE.findall(address)
    if not matches:
        return None
    outward, inward = matches[-1]  # the postcode is normally the last line of an address
    return f"{outward}{inward}".upper()


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """What we compare to spot a resubmission. `phone` is E.164 and `email` already validated."""

    reference: str
    received_at: datetime
    name: str
    organisation_name: str
    summary: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None


def _same_person(a: DuplicateKey, b: DuplicateKey) -> bool:
    if a.email and b.email and a.email.casefold() == b.email.casefold():
        return True
    if a.phone and b.phone and a.phone == b.phone:
        return True
    postcode = extract_postcode(a.address)
    return (
        postcode is not None
        and postcode == extract_postcode(b.address)
        and normalise_text(a.name) == normalise_text(b.name)
    )


def summary_similarity(a: str, b: str, compare_chars: int) -> float:
    left = normalise_text(a)[:compare_chars]
    right = normalise_text(b)[:compare_chars]
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def likely_duplicate(
    new: DuplicateKey,
    recent: Iterable[DuplicateKey],
    now: datetime,
    rules: IntakeRules = DEFAULT_RULES,
) -> str | None:
    """The reference of the closest earlier complaint this one probably repeats, if any.

    Same person, same organisation, a similar account, within the window. A match is a hint
    for the caseworker (`duplicate_of`), never a reason to refuse the complaint.
    """
    window_starts = now - timedelta(days=rules.duplicate_window_days)
    organisation = normalise_text(new.organisation_name)
    best: tuple[float, datetime, str] | None = None
    for earlier in recent:
        if earlier.reference == new.reference:
            continue
        if not window_starts <= earlier.received_at <= now:
            continue
        if normalise_text(earlier.organisation_name) != organisation:
            continue
        if not _same_person(new, earlier):
            continue
        score = summary_similarity(new.summary, earlier.summary, rules.duplicate_compare_chars)
        if score < rules.duplicate_similarity_threshold:
            continue
        candidate = (score, earlier.received_at, earlier.reference)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return None if best is None else best[2]
