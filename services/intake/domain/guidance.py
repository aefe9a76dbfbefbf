"""Who can help, and what happens next: advocacy signposting (docs/reference/domain-rules.md §4)
and the plain-English steps a complainant is shown once their complaint is in."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.domain.eligibility import EligibilityResult
from services.intake.domain.rules import DEFAULT_RULES, IntakeRules
from shared.events import Sector

# Sentences with figures in them, as patterns: pages show them in Welsh by these
# (shared/kit/sentences.py; their Welsh is in services/intake/locale).
ACKNOWLEDGEMENT_STEP = "We will confirm we have your complaint within {days} working days."
DECISION_STEP = (
    "A caseworker will decide whether we can look into your complaint within {days} working "
    "days. We will tell you what they decide."
)


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
        ACKNOWLEDGEMENT_STEP.format(days=rules.acknowledgement_working_days),
        DECISION_STEP.format(days=rules.assessment_decision_working_days),
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
