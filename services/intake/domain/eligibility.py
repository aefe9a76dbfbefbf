"""Can the ombudsman help? The statutory checks on a complaint (docs/reference/domain-rules.md
§1.1): properly made, in time, not premature; each failed check explained in plain English.

`eligible=False` never stops a complaint being stored: it flags it for the caseworker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta

from services.intake.domain.rules import DEFAULT_RULES, IntakeRules
from shared.events import EligibilityFlags, Sector
from shared.kit.sentences import english_date

# Sentences with figures in them, as patterns: pages show them in Welsh by these
# (shared/kit/sentences.py; their Welsh is in services/intake/locale).
OUT_OF_TIME_REASON = (
    "You normally need to complain to us within {months} months of finding out about the "
    "problem. For you, that was by {date}."
)
NOT_REPLIED_YET_REASON = (
    "The organisation has not replied to your complaint yet. "
    "They normally have up to {months} months to reply."
)


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
        OUT_OF_TIME_REASON.format(months=rules.time_limit_months, date=english_date(ends_on))
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
        NOT_REPLIED_YET_REASON.format(months=rules.reasonable_response_wait_months)
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
