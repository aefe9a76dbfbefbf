"""A final decision that explains itself: how we reached it and what the complainant can do next.

Plain English, built from the case, for when the caseworker writes nothing more specific.
"""

from __future__ import annotations

from datetime import date

from shared.events import Organisation, Sector

from .model import Case

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Signposting (docs/reference/domain-rules.md §4): NHS complaints advocacy is the statutory service
# for health complaints, including complaints to us (s223A Local Government and Public Involvement
# in Health Act 2007); Citizens Advice is the general, free advice service.
NHS_ADVOCACY_STEP = (
    "NHS complaints advocacy gives free, independent help, and every local council in England "
    "must arrange it. Find your council at https://www.gov.uk/find-local-council."
)
GENERAL_ADVOCACY_STEP = (
    "An independent advocate can support you for free. Ask your caseworker and we will help "
    "you find one near you."
)
CITIZENS_ADVICE_STEP = (
    "Citizens Advice gives free, confidential advice, including on complaints about public "
    "services: https://www.citizensadvice.org.uk."
)


def format_day(value: date) -> str:
    """'14 April 2026': the same words in every language setting."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def how_we_reached_it(case: Case, organisations: list[Organisation]) -> str:
    """The default account of how the decision was reached, from what the case records."""
    bodies = join_names([organisation.name for organisation in organisations])
    parts = [
        f"We looked at what you told us, at what {bodies} told us, and at the evidence we "
        "gathered. We compared what happened with what should have happened, using the law, "
        "policies and standards that applied at the time."
    ]
    roles = sorted({advice.adviser_role for advice in case.expert_advice})
    if roles:
        parts.append(f"We took advice from {join_names(roles)}.")
    if case.draft is not None and case.draft.comments_received_at is not None:
        parts.append(
            "We considered the comments you sent on our draft decision before making this "
            "final decision."
        )
    if any(request.unavailable for request in case.evidence_requests):
        parts.append(
            "We could not get some of the evidence we asked for. We explain below how our "
            "decision deals with that."
        )
    return " ".join(parts)


def next_steps(
    case: Case, review_due: date, has_recommendations: bool, specific: list[str]
) -> list[str]:
    """The caseworker's own steps first, then how to ask for a review, then where to find help."""
    steps = list(specific)
    if has_recommendations:
        steps.append(
            "We will check that what we recommended is done by the dates shown, and tell you "
            "when anything changes."
        )
    steps.append(
        f"If you think our decision is wrong, you can ask us to review it. Ask by "
        f"{format_day(review_due)}, using the form on your tracking page or by writing to your "
        "caseworker. Tell us which facts were wrong, what new information you have, or what we "
        "overlooked or misunderstood."
    )
    sectors = {organisation.sector for organisation in case.all_organisations}
    steps.append(NHS_ADVOCACY_STEP if Sector.HEALTH in sectors else GENERAL_ADVOCACY_STEP)
    steps.append(CITIZENS_ADVICE_STEP)
    return steps
