"""Casework time limits and windows: configuration with sourced defaults, never literals in code.

Sources are sections of `docs/reference/domain-rules.md`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.working_days import Nation


class CaseworkRules(BaseModel):
    """The numbers the case state machine works to. Build one from settings and pass it in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Which bank holidays count as non-working days (docs/design.md §6, `REDRESS_NATION`;
    # docs/reference/domain-rules.md §6: England and Wales is the natural default for PHSO).
    nation: Nation = "england"
    # "We aim to give you our decision within 20 working days of receiving your complaint"
    # (docs/reference/domain-rules.md §1.6, SECONDARY).
    assessment_decision_target_working_days: int = Field(default=20, ge=0)
    # Time to comment on a draft decision: no PHSO figure found, UNCONFIRMED
    # (docs/reference/domain-rules.md §1.7; LGSCO gives three weeks, NZ HDC 15 working days),
    # hence configurable.
    draft_comment_window_working_days: int = Field(default=10, ge=0)
    # Reasonable adjustment "more time than usual to send information or comments": extend the
    # internal comment and review windows (docs/reference/domain-rules.md §4). The length is our
    # choice.
    comment_window_extension_working_days: int = Field(default=5, ge=0)
    review_window_extension_working_days: int = Field(default=5, ge=0)
    # A review must be asked for within one month of the decision
    # (docs/reference/domain-rules.md §1.8, SECONDARY; it was three months before about 2019).
    review_request_window_months: int = Field(default=1, ge=0)
    # Default time allowed for evidence we ask for: no source found; three working weeks, in line
    # with the comparators in docs/reference/domain-rules.md §1.7 (UNCONFIRMED, configurable).
    evidence_due_working_days: int = Field(default=15, ge=0)
    # Default time for an organisation to comply with a recommendation when the caseworker sets
    # none: the PHSO figure is UNCONFIRMED (docs/reference/domain-rules.md §1.4 and §7 item 3;
    # PSOW expects a response within one month, NI within 28 days).
    recommendation_default_due_months: int = Field(default=3, ge=1)
    # How far ahead a complainant may ask for their draft decision to be sent (issue 3: "a date
    # they choose, for example so that a supporter can be with them"). No PHSO figure exists
    # (docs/reference/domain-rules.md §1.7 has none for draft timing); 20 working days, about a
    # month, matches the assessment target (§1.6) so a case is never held longer than a whole
    # stage. Configurable.
    draft_send_date_max_working_days: int = Field(default=20, ge=0)
