"""Intake's rule settings: every number with its source, all of them configuration.

Numbers come from `docs/reference/domain-rules.md`, cited by section.
"""

from __future__ import annotations

from dataclasses import dataclass


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
