"""The content of a decision, draft or final: findings per organisation on the case and the
organisations each recommendation is made to."""

from __future__ import annotations

from datetime import date

from shared.events import (
    Organisation,
    Outcome,
)
from shared.working_days import add_months

from . import explaining
from .commands import (
    FindingInput,
    RecommendationInput,
)
from .errors import DomainRuleBroken
from .model import (
    Case,
    Deadline,
    DeadlineKind,
    Finding,
    Recommendation,
    recommendation_deadline_id,
)
from .transitions import Context


def organisation_on_case(case: Case, name: str | None) -> Organisation:
    found = case.organisation_named(name)
    if found is None:
        known = explaining.join_names([o.name for o in case.all_organisations])
        raise DomainRuleBroken(
            f"This case does not concern '{name}' (it concerns {known}); "
            "add it with add_organisation first."
        )
    return found


def findings_for(
    case: Case, outcome: Outcome, summary: str, items: list[FindingInput]
) -> list[Finding]:
    """One finding per organisation named, the lead body's first (by default the overall one)."""
    named: dict[str, Finding] = {}
    for item in items:
        organisation = organisation_on_case(case, item.organisation)
        if organisation.name in named:
            raise DomainRuleBroken(f"There are two findings for {organisation.name}.")
        named[organisation.name] = Finding(
            organisation=organisation, outcome=item.outcome, summary=item.summary
        )
    lead = named.pop(
        case.organisation.name,
        Finding(organisation=case.organisation, outcome=outcome, summary=summary),
    )
    findings = [lead, *named.values()]
    if outcome is Outcome.NOT_UPHELD:
        upheld = [f.organisation.name for f in findings if f.outcome is not Outcome.NOT_UPHELD]
        if upheld:
            raise DomainRuleBroken(
                f"The complaint cannot be not upheld overall when it is upheld against "
                f"{explaining.join_names(upheld)}."
            )
    return findings


def recommendation_targets(
    case: Case,
    outcome: Outcome,
    items: list[RecommendationInput],
    findings: list[Finding],
    today: date,
) -> list[Organisation]:
    """The organisation each recommendation is for; refuses what a decision cannot carry."""
    if outcome is Outcome.NOT_UPHELD and items:
        raise DomainRuleBroken("A complaint that is not upheld carries no recommendations.")
    outcomes = {finding.organisation.name: finding.outcome for finding in findings}
    targets = []
    for item in items:
        if item.due_on is not None and item.due_on <= today:
            raise DomainRuleBroken(f"A recommendation must be due after today ({item.due_on}).")
        organisation = organisation_on_case(case, item.organisation)
        if outcomes.get(organisation.name) is Outcome.NOT_UPHELD:
            raise DomainRuleBroken(
                f"The complaint about {organisation.name} is not upheld, so there is nothing "
                "to recommend it does."
            )
        targets.append(organisation)
    return targets


def make_recommendation(
    case: Case, item: RecommendationInput, organisation: Organisation, ctx: Context
) -> Recommendation:
    recommendation = Recommendation(
        recommendation_id=f"{case.reference}-R{len(case.recommendations) + 1}",
        type=item.type,
        description=item.description,
        due_on=item.due_on or add_months(ctx.today, ctx.rules.recommendation_default_due_months),
        severity=item.severity,
        organisation=organisation,
    )
    case.recommendations.append(recommendation)
    case.deadlines.append(
        Deadline(
            deadline_id=recommendation_deadline_id(recommendation.recommendation_id),
            kind=DeadlineKind.RECOMMENDATION,
            due_by=recommendation.due_on,
        )
    )
    return recommendation
