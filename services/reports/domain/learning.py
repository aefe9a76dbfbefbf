"""The monthly "learning from complaints" report's data (docs/reference/domain-rules.md §2.5)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.reports.domain.facts import (
    DISAGREE_MAX_SCORE,
    UPHELD_OUTCOMES,
    CaseFacts,
    ReportingPeriod,
    ReportRules,
    SatisfactionResponse,
    ServiceChange,
    WorkingDaysBetween,
)
from services.reports.domain.kpis import (
    Kpis,
    RecommendationCounts,
    Satisfaction,
    Share,
    compute_kpis,
    recommendation_counts,
    recommendation_made_in,
)
from shared.events import (
    RecommendationStatus,
    RecommendationType,
)

# --------------------------------------------------------------------------------------------
# The monthly "learning from complaints" report (docs/reference/domain-rules.md §2.5).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeRow:
    theme: str
    received: int
    upheld: int  # upheld or partly upheld, among the theme's cases closed in the period


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    organisation: str
    sector: str
    received: int
    closed: int
    upheld: int  # upheld or partly upheld
    recommendations: RecommendationCounts


@dataclass(frozen=True, slots=True)
class YouSaidWeDid:
    """A theme raised in the period (by complaints, by survey feedback, or both) beside what was
    done about it: recommendations implemented, and service changes recorded against it."""

    theme: str
    complaints: int
    service_improvements_implemented: int
    apologies_implemented: int
    financial_remedies_implemented: int
    organisations: tuple[str, ...]
    # Survey answers (complainants' and organisations') that disagreed with this question.
    feedback_disagreed: int = 0
    # Descriptions of the service changes recorded against the theme, made in the period.
    service_changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LearningReport:
    period: ReportingPeriod
    headline: Kpis
    themes: tuple[ThemeRow, ...]
    organisations: tuple[OrganisationRow, ...]
    you_said_we_did: tuple[YouSaidWeDid, ...]
    satisfaction_by_outcome: Mapping[str, Share]
    organisation_satisfaction: Satisfaction | None = None


def _implemented_of_type(
    cases: Iterable[CaseFacts], kind: RecommendationType, period: ReportingPeriod
) -> int:
    return sum(
        recommendation.type == kind
        and recommendation.status == RecommendationStatus.IMPLEMENTED
        and recommendation_made_in(recommendation, case, period)
        for case in cases
        for recommendation in case.recommendations
    )


def learning_report(
    cases: Iterable[CaseFacts],
    responses: Iterable[SatisfactionResponse],
    period: ReportingPeriod,
    *,
    working_days_between: WorkingDaysBetween,
    today: date,
    rules: ReportRules | None = None,
    service_changes: Iterable[ServiceChange] = (),
) -> LearningReport:
    """The data for the learning report: themes, organisations, "you said, we did", satisfaction
    by outcome (PSOW reports it side by side, docs/reference/domain-rules.md §3), and the
    organisations' own survey apart."""
    all_cases = list(cases)
    all_responses = list(responses)
    headline = compute_kpis(
        all_cases,
        all_responses,
        period_from=period.start,
        period_to=period.end,
        organisation=None,
        sector=None,
        working_days_between=working_days_between,
        today=today,
        rules=rules,
    )
    received = [case for case in all_cases if period.contains(case.received_at)]
    closed = [case for case in all_cases if period.contains(case.closed_at)]
    return LearningReport(
        period=period,
        headline=headline,
        themes=_theme_rows(received, closed, headline.themes),
        organisations=_organisation_rows(all_cases, received, closed, period, today),
        you_said_we_did=_you_said_we_did(
            all_cases,
            headline.themes,
            feedback_themes([r for r in all_responses if period.contains(r.submitted_at)]),
            [change for change in service_changes if period.start <= change.made_on <= period.end],
            period,
        ),
        satisfaction_by_outcome=headline.satisfaction.by_outcome,
        organisation_satisfaction=headline.organisation_satisfaction,
    )


def feedback_themes(responses: Iterable[SatisfactionResponse]) -> dict[str, int]:
    """Survey questions that answers disagreed with (score 1 or 2), with how many did, most
    first: what complainants and organisations told us is not working. Consultation answers are
    left out: their questions differ per consultation, and their results are published apart."""
    counts = Counter(
        question
        for response in responses
        if response.respondent in ("complainant", "organisation")
        for question, score in response.answers.items()
        if score <= DISAGREE_MAX_SCORE
    )
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _theme_rows(
    received: Sequence[CaseFacts], closed: Sequence[CaseFacts], themes: Mapping[str, int]
) -> tuple[ThemeRow, ...]:
    return tuple(
        ThemeRow(
            theme=theme,
            received=count,
            upheld=sum(
                theme in case.themes and case.closure_reason in UPHELD_OUTCOMES for case in closed
            ),
        )
        for theme, count in themes.items()
    )


def _organisation_rows(
    cases: Sequence[CaseFacts],
    received: Sequence[CaseFacts],
    closed: Sequence[CaseFacts],
    period: ReportingPeriod,
    today: date,
) -> tuple[OrganisationRow, ...]:
    names = sorted({case.organisation for case in [*received, *closed]})
    rows = []
    for name in names:
        own = [case for case in cases if case.organisation == name]
        rows.append(
            OrganisationRow(
                organisation=name,
                sector=own[0].sector.value,
                received=sum(case.organisation == name for case in received),
                closed=sum(case.organisation == name for case in closed),
                upheld=sum(
                    case.organisation == name and case.closure_reason in UPHELD_OUTCOMES
                    for case in closed
                ),
                recommendations=recommendation_counts(own, period, today),
            )
        )
    return tuple(sorted(rows, key=lambda row: (-row.received, row.organisation)))


def _you_said_we_did(
    cases: Sequence[CaseFacts],
    themes: Mapping[str, int],
    disagreements: Mapping[str, int],
    changes: Sequence[ServiceChange],
    period: ReportingPeriod,
) -> tuple[YouSaidWeDid, ...]:
    """One row per theme with something done about it: complaint themes (most complaints
    first), then feedback themes (most disagreement first), then themes with only a change."""
    changed: dict[str, list[ServiceChange]] = {}
    for change in sorted(changes, key=lambda c: (c.made_on, c.change_id)):
        changed.setdefault(change.theme, []).append(change)
    ordered = list(dict.fromkeys([*themes, *disagreements, *sorted(changed)]))
    rows = []
    for theme in ordered:
        themed = [case for case in cases if theme in case.themes] if theme in themes else []
        implemented = {
            kind: _implemented_of_type(themed, kind, period) for kind in RecommendationType
        }
        descriptions = tuple(change.description for change in changed.get(theme, ()))
        if not any(implemented.values()) and not descriptions:
            continue
        rows.append(
            YouSaidWeDid(
                theme=theme,
                complaints=themes.get(theme, 0),
                feedback_disagreed=disagreements.get(theme, 0),
                service_changes=descriptions,
                service_improvements_implemented=implemented[
                    RecommendationType.SERVICE_IMPROVEMENT
                ],
                apologies_implemented=implemented[RecommendationType.APOLOGY],
                financial_remedies_implemented=implemented[RecommendationType.FINANCIAL_REMEDY],
                organisations=tuple(
                    sorted(
                        {
                            case.organisation
                            for case in themed
                            if any(
                                r.status == RecommendationStatus.IMPLEMENTED
                                and recommendation_made_in(r, case, period)
                                for r in case.recommendations
                            )
                        }
                    )
                ),
            )
        )
    return tuple(rows)
