"""The key performance indicators for one period (definitions: domain/__init__.py)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.reports.domain.facts import (
    AGREE_MIN_SCORE,
    IMPARTIALITY_QUESTIONS,
    INVESTIGATED_OUTCOMES,
    OPEN_RECOMMENDATION_STATUSES,
    P90,
    UPHELD_OUTCOMES,
    CaseFacts,
    RecommendationFacts,
    ReportingPeriod,
    ReportRules,
    Respondent,
    SatisfactionResponse,
    WorkingDaysBetween,
    uk_date,
)
from shared.events import (
    ClosureReason,
    RecommendationStatus,
    Sector,
    Stage,
)

# --------------------------------------------------------------------------------------------
# Figures that remember what they were derived from (so suppression can judge them).
# --------------------------------------------------------------------------------------------


def percentage(numerator: int, denominator: int) -> float | None:
    """numerator/denominator as a percentage to one decimal place, halves rounded up."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Share:
    """A proportion; `population` is how many cases or people it describes (for suppression)."""

    numerator: int
    denominator: int
    population: int | None = None

    @property
    def pct(self) -> float | None:
        return percentage(self.numerator, self.denominator)

    @property
    def based_on(self) -> int:
        return self.denominator if self.population is None else self.population


def nearest_rank(sorted_values: Sequence[int], fraction: float) -> int:
    """The nearest-rank percentile: the value at rank ceil(fraction * n), counting from 1."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Working-day durations: median (halfway between the middle two for an even count), p90."""

    values: tuple[int, ...]

    @classmethod
    def of(cls, values: Iterable[int]) -> Distribution:
        return cls(tuple(sorted(values)))

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.values)) if self.values else None

    @property
    def p90(self) -> int | None:
        return nearest_rank(self.values, P90) if self.values else None


@dataclass(frozen=True, slots=True)
class RecommendationCounts:
    made: int = 0
    implemented: int = 0
    overdue: int = 0
    not_complied: int = 0


@dataclass(frozen=True, slots=True)
class Satisfaction:
    responses: int
    by_question: Mapping[str, Share]
    by_outcome: Mapping[str, Share]
    impartiality: Share


@dataclass(frozen=True, slots=True)
class Kpis:
    period: ReportingPeriod
    organisation: str | None
    sector: Sector | None
    complaints_received: int
    cases_closed: int
    cases_by_stage: Mapping[str, int]
    acknowledged_within_target: Share
    working_days_to_decision: Distribution
    working_days_to_assessment_decision: Distribution
    outcomes: Mapping[str, int]
    uphold_rate: Share
    recommendations: RecommendationCounts
    recommendations_by_organisation: Mapping[str, RecommendationCounts]
    themes: Mapping[str, int]
    satisfaction: Satisfaction
    organisation_satisfaction: Satisfaction
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The unsuppressed figures (staff only): docs/design.md §5 `GET /v1/kpis`."""
        # Imported here: rendering needs Kpis, so suppression imports this module.
        from services.reports.domain.suppression import unsuppressed

        return unsuppressed(self)


# --------------------------------------------------------------------------------------------
# compute_kpis
# --------------------------------------------------------------------------------------------


def compute_kpis(
    cases: Iterable[CaseFacts],
    responses: Iterable[SatisfactionResponse],
    *,
    period_from: date,
    period_to: date,
    organisation: str | None,
    sector: Sector | str | None,
    working_days_between: WorkingDaysBetween,
    today: date,
    rules: ReportRules | None = None,
) -> Kpis:
    """The KPIs for one period, optionally for one organisation and/or one sector."""
    rules = rules or ReportRules()
    period = ReportingPeriod(period_from, period_to)
    wanted_sector = Sector(sector) if sector is not None else None
    selected = [
        case
        for case in cases
        if (organisation is None or case.organisation == organisation)
        and (wanted_sector is None or case.sector == wanted_sector)
    ]
    received = [case for case in selected if period.contains(case.received_at)]
    closed = [case for case in selected if period.contains(case.closed_at)]
    chosen_responses, notes = responses_for(responses, period, organisation, wanted_sector)
    return Kpis(
        period=period,
        organisation=organisation,
        sector=wanted_sector,
        complaints_received=len(received),
        cases_closed=len(closed),
        cases_by_stage=cases_by_stage(selected, period),
        acknowledged_within_target=acknowledged_within_target(
            received, rules, working_days_between, today
        ),
        working_days_to_decision=days_to_decision(closed, working_days_between),
        working_days_to_assessment_decision=days_to_assessment_decision(
            selected, period, working_days_between
        ),
        outcomes=outcome_counts(closed),
        uphold_rate=uphold_rate(closed),
        recommendations=recommendation_counts(selected, period, today),
        recommendations_by_organisation=recommendations_by_organisation(selected, period, today),
        themes=theme_counts(received),
        satisfaction=satisfaction(of_respondent(chosen_responses, "complainant")),
        organisation_satisfaction=satisfaction(of_respondent(chosen_responses, "organisation")),
        notes=notes,
    )


def responses_for(
    responses: Iterable[SatisfactionResponse],
    period: ReportingPeriod,
    organisation: str | None,
    sector: Sector | None,
) -> tuple[list[SatisfactionResponse], tuple[str, ...]]:
    """The survey answers a report counts, and the note explaining any it cannot."""
    if organisation is not None:
        note = (
            "Survey answers are anonymised and carry no organisation, so satisfaction is not "
            "reported for a single organisation."
        )
        return [], (note,)
    chosen = [
        response
        for response in responses
        if period.contains(response.submitted_at) and (sector is None or response.sector == sector)
    ]
    return chosen, ()


def days_to_decision(
    closed: Iterable[CaseFacts], working_days_between: WorkingDaysBetween
) -> Distribution:
    """Working days from receipt to closure of the cases closed in the period (not withdrawn)."""
    return Distribution.of(
        working_days_between(uk_date(case.received_at), uk_date(case.closed_at))
        for case in closed
        if case.closed_at is not None and case.closure_reason != ClosureReason.WITHDRAWN
    )


def days_to_assessment_decision(
    cases: Iterable[CaseFacts], period: ReportingPeriod, working_days_between: WorkingDaysBetween
) -> Distribution:
    """Working days from receipt to the assessment decision, for decisions made in the period."""
    return Distribution.of(
        working_days_between(uk_date(case.received_at), uk_date(case.assessment_decided_at))
        for case in cases
        if case.assessment_decided_at is not None and period.contains(case.assessment_decided_at)
    )


def cases_by_stage(cases: Iterable[CaseFacts], period: ReportingPeriod) -> dict[str, int]:
    """Current stage of every case active in the period: received by its end, not closed before
    its start. Every stage is listed, zeros included, so charts and CSV columns stay stable."""
    counts = Counter(
        case.stage.value
        for case in cases
        if uk_date(case.received_at) <= period.end
        and (case.closed_at is None or uk_date(case.closed_at) >= period.start)
    )
    return {stage.value: counts[stage.value] for stage in Stage}


def acknowledged_within_target(
    received: Iterable[CaseFacts],
    rules: ReportRules,
    working_days_between: WorkingDaysBetween,
    today: date,
) -> Share:
    met = due = 0
    for case in received:
        target = rules.ack_target_for(case.channel)
        received_on = uk_date(case.received_at)
        if case.acknowledged_at is not None:
            due += 1
            met += working_days_between(received_on, uk_date(case.acknowledged_at)) <= target
        elif working_days_between(received_on, today) > target:
            due += 1  # still unacknowledged and already late: a miss
    return Share(met, due)


def outcome_counts(closed: Iterable[CaseFacts]) -> dict[str, int]:
    counts = Counter(case.closure_reason for case in closed if case.closure_reason is not None)
    return {reason.value: counts[reason] for reason in ClosureReason}


def uphold_rate(closed: Iterable[CaseFacts]) -> Share:
    reasons = [case.closure_reason for case in closed]
    investigated = sum(reason in INVESTIGATED_OUTCOMES for reason in reasons)
    upheld = sum(reason in UPHELD_OUTCOMES for reason in reasons)
    return Share(upheld, investigated)


def recommendation_made_in(
    recommendation: RecommendationFacts, case: CaseFacts, period: ReportingPeriod
) -> bool:
    made_at = recommendation.made_at or case.closed_at
    return period.contains(made_at)


def is_overdue(recommendation: RecommendationFacts, today: date) -> bool:
    if recommendation.status == RecommendationStatus.OVERDUE:
        return True
    # The casework scheduler may not have marked it yet: still open after its due date is overdue.
    return recommendation.status in OPEN_RECOMMENDATION_STATUSES and recommendation.due_on < today


def _count_recommendations(
    recommendations: Sequence[RecommendationFacts], today: date
) -> RecommendationCounts:
    return RecommendationCounts(
        made=len(recommendations),
        implemented=sum(r.status == RecommendationStatus.IMPLEMENTED for r in recommendations),
        overdue=sum(is_overdue(r, today) for r in recommendations),
        not_complied=sum(r.status == RecommendationStatus.NOT_COMPLIED for r in recommendations),
    )


def _recommendations_made_in(
    cases: Iterable[CaseFacts], period: ReportingPeriod
) -> list[tuple[CaseFacts, RecommendationFacts]]:
    return [
        (case, recommendation)
        for case in cases
        for recommendation in case.recommendations
        if recommendation_made_in(recommendation, case, period)
    ]


def recommendation_counts(
    cases: Iterable[CaseFacts], period: ReportingPeriod, today: date
) -> RecommendationCounts:
    made = [recommendation for _, recommendation in _recommendations_made_in(cases, period)]
    return _count_recommendations(made, today)


def recommendations_by_organisation(
    cases: Iterable[CaseFacts], period: ReportingPeriod, today: date
) -> dict[str, RecommendationCounts]:
    grouped: dict[str, list[RecommendationFacts]] = {}
    for case, recommendation in _recommendations_made_in(cases, period):
        grouped.setdefault(case.organisation, []).append(recommendation)
    return {
        organisation: _count_recommendations(grouped[organisation], today)
        for organisation in sorted(grouped)
    }


def theme_counts(received: Iterable[CaseFacts]) -> dict[str, int]:
    """Cases per theme (a case with two themes counts once in each), most frequent first."""
    counts = Counter(theme for case in received for theme in dict.fromkeys(case.themes))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def agree_share(
    answer_sets: Sequence[Mapping[str, int]], questions: Collection[str] | None
) -> Share:
    scores = [
        score
        for answers in answer_sets
        for question, score in answers.items()
        if questions is None or question in questions
    ]
    respondents = sum(
        any(questions is None or question in questions for question in answers)
        for answers in answer_sets
    )
    agreed = sum(score >= AGREE_MIN_SCORE for score in scores)
    return Share(agreed, len(scores), population=respondents)


def of_respondent(
    responses: Iterable[SatisfactionResponse], respondent: Respondent
) -> list[SatisfactionResponse]:
    return [response for response in responses if response.respondent == respondent]


def satisfaction(responses: Sequence[SatisfactionResponse]) -> Satisfaction:
    """% agree per question (of those answering it) and, per outcome, % agree over all answers."""
    answer_sets = [response.answers for response in responses]
    questions = sorted({question for answers in answer_sets for question in answers})
    outcomes = [reason for reason in ClosureReason if any(r.outcome == reason for r in responses)]
    return Satisfaction(
        responses=len(responses),
        by_question={question: agree_share(answer_sets, (question,)) for question in questions},
        by_outcome={
            outcome.value: agree_share([r.answers for r in responses if r.outcome == outcome], None)
            for outcome in outcomes
        },
        impartiality=agree_share(answer_sets, IMPARTIALITY_QUESTIONS),
    )
