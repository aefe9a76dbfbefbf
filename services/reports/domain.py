"""Reports domain: key performance indicators and the learning report, computed from read models.

Everything here is pure: the read-model rows are built by `handlers.py` from events only (never
from another service's database), and every function takes `today` and a working-day counter as
parameters instead of reading the clock or a holiday calendar.

Definitions (they are what the published figures mean, so they are spelt out here and in
docs/adr):

- A case is *received* in a period when its `received_at` (UK local date) falls in the period,
  and *closed* in a period when its `closed_at` does. Periods are inclusive at both ends.
- *Acknowledged within target*: acknowledged no more than the channel's target number of working
  days after receipt (docs/reference/domain-rules.md §1.6). The receipt day is day 0
  (docs/reference/domain-rules.md §6).
  A case not yet acknowledged counts as a miss once its target has passed, and is left out while
  it is still within target.
- *Working days to decision*: receipt to closure, for cases closed in the period by a decision of
  ours (everything except a withdrawal, which is the complainant's act, not a decision).
- *Working days to assessment decision*: receipt to the decision whether to investigate, for
  cases with that decision in the period.
- *Uphold rate*: (upheld + partly upheld) / (upheld + partly upheld + not upheld): investigated
  decisions only, as the KO41a definitions count them (docs/reference/domain-rules.md §1.3).
- *p90* uses the nearest-rank method: the smallest value with at least 90% of values at or below
  it, so it is always an observed number of working days.
- *Agree* on a survey answer means a score of 4 or 5 on the five-point scale (top-2-box,
  docs/reference/domain-rules.md §3: PHSO publishes only "% agree").
- Recommendations are counted for the cohort *made* in the period; *implemented* and *overdue* say
  where that cohort stands today.
- *Satisfaction* is the complainants' survey; *organisation satisfaction* is the parallel survey
  of the organisations investigated (PHSO's "OWI" figures, docs/reference/domain-rules.md §1.10
  and §3), always reported apart: the two groups answer differently worded questions about
  opposite sides of the same case.
- *You said, we did*: themes raised in the period, by complaints (the caseworkers' themes) and by
  survey feedback (a question that at least one answer disagreed with, a score of 1 or 2),
  beside what was done about them: recommendations made in the period and implemented, and the
  service changes staff recorded against the theme, made in the period.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from shared.events import (
    Channel,
    ClosureReason,
    RecommendationStatus,
    RecommendationType,
    Sector,
    Stage,
)

WorkingDaysBetween = Callable[[date, date], int]
"""Working days after `start` up to and including `end` (the start day is day 0)."""

# Dates in published figures are UK calendar dates: a complaint sent at 23:30 UTC on a summer
# evening was received the next day in the UK (docs/reference/domain-rules.md §6 counts UK working
# days).
UK_TIME = ZoneInfo("Europe/London")

# Small-number suppression for published statistics: counts from 1 to 4 could identify a
# complainant (docs/reference/domain-rules.md §5: published reports must not identify
# individuals; the threshold of 5 follows the usual UK official-statistics practice).
SUPPRESSION_THRESHOLD = 5

# Top-2-box on a five-point agree/disagree scale (docs/reference/domain-rules.md §3).
AGREE_MIN_SCORE = 4
# Its mirror, bottom-2-box: "disagree" or "strongly disagree" raises the question as a theme.
DISAGREE_MAX_SCORE = 2

# The nearest-rank percentile reported beside the median.
P90 = 0.9

# PHSO's impartiality indicator is the aggregate of its survey questions 1, 2 and 4
# (docs/reference/domain-rules.md §3); these are the feedback service's ids for those questions.
IMPARTIALITY_QUESTIONS: tuple[str, ...] = (
    "explain_complaint",
    "info_taken_into_account",
    "decision_explained",
)

INVESTIGATED_OUTCOMES = (
    ClosureReason.UPHELD,
    ClosureReason.PARTLY_UPHELD,
    ClosureReason.NOT_UPHELD,
)
UPHELD_OUTCOMES = (ClosureReason.UPHELD, ClosureReason.PARTLY_UPHELD)
OPEN_RECOMMENDATION_STATUSES = (RecommendationStatus.MADE, RecommendationStatus.ACCEPTED)

Respondent = Literal["complainant", "organisation", "consultation"]


# --------------------------------------------------------------------------------------------
# Read-model rows (built by handlers from events only).
# --------------------------------------------------------------------------------------------


class ReadModelRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecommendationFacts(ReadModelRow):
    recommendation_id: str
    type: RecommendationType
    due_on: date
    status: RecommendationStatus
    # When the recommendation was made (`occurred_at` of `redress.case.recommendation_made` or of
    # the final decision carrying it). Optional so rows built before it was recorded still load;
    # those fall back to the case's closure date.
    made_at: datetime | None = None


class CaseFacts(ReadModelRow):
    reference: str
    organisation: str
    sector: Sector
    channel: Channel
    received_at: datetime
    opened_at: datetime
    acknowledged_at: datetime | None = None
    assessment_decided_at: datetime | None = None
    closed_at: datetime | None = None
    closure_reason: ClosureReason | None = None
    stage: Stage
    themes: list[str] = Field(default_factory=list)
    recommendations: list[RecommendationFacts] = Field(default_factory=list)


class SatisfactionResponse(ReadModelRow):
    response_id: str
    submitted_at: datetime
    respondent: Respondent = "complainant"
    sector: Sector | None = None
    outcome: ClosureReason | None = None
    answers: dict[str, int]


class ServiceChange(ReadModelRow):
    """A change to the service that staff recorded against a theme (of complaints or of survey
    feedback: a theme name, or a survey question id such as `kept_up_to_date`)."""

    change_id: str
    theme: str
    description: str
    made_on: date


# --------------------------------------------------------------------------------------------
# Rules and periods.
# --------------------------------------------------------------------------------------------


def _default_ack_targets() -> Mapping[Channel, int]:
    # docs/reference/domain-rules.md §1.6 (SECONDARY, old PHSO page): "we will write to acknowledge
    # the complaint within two working days. Emails will be acknowledged within one working day."
    # Web forms arrive as electronically as email, so they get email's target; phone and staff
    # entries fall under the general two-day written acknowledgement.
    return MappingProxyType(
        {
            Channel.WEB: 1,
            Channel.EMAIL: 1,
            Channel.LETTER: 2,
            Channel.PHONE: 2,
            Channel.STAFF: 2,
        }
    )


@dataclass(frozen=True, slots=True)
class ReportRules:
    ack_target_working_days: Mapping[Channel, int] = field(default_factory=_default_ack_targets)
    suppression_threshold: int = SUPPRESSION_THRESHOLD

    def ack_target_for(self, channel: Channel) -> int:
        return self.ack_target_working_days[channel]


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    """An inclusive range of UK calendar dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts ({self.start}) after it ends ({self.end})")

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= uk_date(moment) <= self.end


def uk_date(moment: datetime) -> date:
    """The UK calendar date of an instant; naive datetimes are taken to be UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UK_TIME).date()


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
        return _render(self, _Unsuppressed())


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
    notes: list[str] = []
    if organisation is not None:
        notes.append(
            "Survey answers are anonymised and carry no organisation, so satisfaction is not "
            "reported for a single organisation."
        )
        chosen_responses: list[SatisfactionResponse] = []
    else:
        chosen_responses = [
            response
            for response in responses
            if period.contains(response.submitted_at)
            and (wanted_sector is None or response.sector == wanted_sector)
        ]
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
        working_days_to_decision=Distribution.of(
            working_days_between(uk_date(case.received_at), uk_date(case.closed_at))
            for case in closed
            if case.closed_at is not None and case.closure_reason != ClosureReason.WITHDRAWN
        ),
        working_days_to_assessment_decision=Distribution.of(
            working_days_between(uk_date(case.received_at), uk_date(case.assessment_decided_at))
            for case in selected
            if case.assessment_decided_at is not None
            and period.contains(case.assessment_decided_at)
        ),
        outcomes=outcome_counts(closed),
        uphold_rate=uphold_rate(closed),
        recommendations=recommendation_counts(selected, period, today),
        recommendations_by_organisation=recommendations_by_organisation(selected, period, today),
        themes=theme_counts(received),
        satisfaction=satisfaction(of_respondent(chosen_responses, "complainant")),
        organisation_satisfaction=satisfaction(of_respondent(chosen_responses, "organisation")),
        notes=tuple(notes),
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


def _agree_share(
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
        by_question={question: _agree_share(answer_sets, (question,)) for question in questions},
        by_outcome={
            outcome.value: _agree_share(
                [r.answers for r in responses if r.outcome == outcome], None
            )
            for outcome in outcomes
        },
        impartiality=_agree_share(answer_sets, IMPARTIALITY_QUESTIONS),
    )


# --------------------------------------------------------------------------------------------
# Rendering to the contract JSON, with or without small-number suppression.
# --------------------------------------------------------------------------------------------

Count = int | str


class _Unsuppressed:
    def count(self, value: int, metric: str) -> Count:
        return value

    def share(self, value: Share, metric: str) -> float | None:
        return value.pct

    def distribution(self, value: Distribution, metric: str) -> dict[str, object]:
        return {"median": value.median, "p90": value.p90, "cases": len(value.values)}

    def notes(self) -> list[str]:
        return []


class _Suppressed(_Unsuppressed):
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.suppressed: list[str] = []

    def _too_few(self, n: int) -> bool:
        return 0 < n < self.threshold

    def count(self, value: int, metric: str) -> Count:
        return f"fewer than {self.threshold}" if self._too_few(value) else value

    def share(self, value: Share, metric: str) -> float | None:
        if self._too_few(value.based_on):
            self.suppressed.append(metric)
            return None
        return value.pct

    def distribution(self, value: Distribution, metric: str) -> dict[str, object]:
        n = len(value.values)
        if self._too_few(n):
            self.suppressed.append(metric)
            return {"median": None, "p90": None, "cases": self.count(n, metric)}
        return {"median": value.median, "p90": value.p90, "cases": n}

    def notes(self) -> list[str]:
        notes = [
            f"Counts from 1 to {self.threshold - 1} are shown as 'fewer than {self.threshold}' "
            "so that no complainant can be identified."
        ]
        if self.suppressed:
            notes.append(
                f"Not published because based on fewer than {self.threshold} cases: "
                + ", ".join(self.suppressed)
                + "."
            )
        return notes


def _render_recommendations(
    counts: RecommendationCounts, renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {
        "made": renderer.count(counts.made, f"{metric}.made"),
        "implemented": renderer.count(counts.implemented, f"{metric}.implemented"),
        "overdue": renderer.count(counts.overdue, f"{metric}.overdue"),
        "not_complied": renderer.count(counts.not_complied, f"{metric}.not_complied"),
    }


def _render_counts(
    counts: Mapping[str, int], renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {key: renderer.count(value, f"{metric}.{key}") for key, value in counts.items()}


def _render_satisfaction(
    satisfaction: Satisfaction, renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {
        "responses": renderer.count(satisfaction.responses, f"{metric}.responses"),
        "by_question": {
            question: renderer.share(share, f"{metric}.by_question.{question}")
            for question, share in satisfaction.by_question.items()
        },
        "by_outcome": {
            outcome: renderer.share(share, f"{metric}.by_outcome.{outcome}")
            for outcome, share in satisfaction.by_outcome.items()
        },
        "impartiality_pct": renderer.share(satisfaction.impartiality, f"{metric}.impartiality_pct"),
    }


def _render(kpis: Kpis, renderer: _Unsuppressed) -> dict[str, object]:
    figures: dict[str, object] = {
        "period": {"from": kpis.period.start.isoformat(), "to": kpis.period.end.isoformat()},
        "filters": {
            "organisation": kpis.organisation,
            "sector": kpis.sector.value if kpis.sector else None,
        },
        "complaints_received": renderer.count(kpis.complaints_received, "complaints_received"),
        "cases_closed": renderer.count(kpis.cases_closed, "cases_closed"),
        "cases_by_stage": _render_counts(kpis.cases_by_stage, renderer, "cases_by_stage"),
        "acknowledged_within_target_pct": renderer.share(
            kpis.acknowledged_within_target, "acknowledged_within_target_pct"
        ),
        "working_days_to_decision": renderer.distribution(
            kpis.working_days_to_decision, "working_days_to_decision"
        ),
        "working_days_to_assessment_decision": renderer.distribution(
            kpis.working_days_to_assessment_decision, "working_days_to_assessment_decision"
        ),
        "outcomes": _render_counts(kpis.outcomes, renderer, "outcomes"),
        "uphold_rate_pct": renderer.share(kpis.uphold_rate, "uphold_rate_pct"),
        "recommendations": _render_recommendations(
            kpis.recommendations, renderer, "recommendations"
        ),
        "recommendations_by_organisation": {
            organisation: _render_recommendations(
                counts, renderer, f"recommendations_by_organisation.{organisation}"
            )
            for organisation, counts in kpis.recommendations_by_organisation.items()
        },
        "themes": _render_counts(kpis.themes, renderer, "themes"),
        "satisfaction": _render_satisfaction(kpis.satisfaction, renderer, "satisfaction"),
        "organisation_satisfaction": _render_satisfaction(
            kpis.organisation_satisfaction, renderer, "organisation_satisfaction"
        ),
    }
    figures["notes"] = [*kpis.notes, *renderer.notes()]
    return figures


def suppress(kpis: Kpis, threshold: int = SUPPRESSION_THRESHOLD) -> dict[str, object]:
    """The figures fit for publication: counts from 1 to threshold-1 become the text
    "fewer than <threshold>", and percentages, medians and p90s based on that few cases or
    people become null, listed in `notes`. Zero stays 0: an empty category identifies nobody."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    return _render(kpis, _Suppressed(threshold))


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

# Spreadsheet programs run a cell that starts with one of these as a formula; organisation names
# and themes come from outside, so such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _flatten(value: object, prefix: str) -> Iterable[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}")
    else:
        yield prefix, value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def kpis_to_csv(figures: Kpis | Mapping[str, object]) -> str:
    """One `metric,value` row per figure, in the order of the JSON; nested keys are joined with
    dots (`outcomes.upheld`). Pass `suppress(kpis)` to get the published version."""
    flat = figures.as_json() if isinstance(figures, Kpis) else figures
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metric", "value"])
    for metric, value in _flatten(flat, ""):
        writer.writerow([_csv_cell(metric), _csv_cell(value)])
    return buffer.getvalue()


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


# --------------------------------------------------------------------------------------------
# Charts: inline SVG, drawn on the server so the dashboard needs no JavaScript.
# --------------------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_LABEL_WIDTH = 260
CHART_VALUE_WIDTH = 70
CHART_ROW_HEIGHT = 28
CHART_BAR_HEIGHT = 18
CHART_TITLE_HEIGHT = 32


def _format_value(value: float, unit: str) -> str:
    number = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{number}{unit}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def bar_chart_svg(
    series: Sequence[tuple[str, float]],
    title: str,
    *,
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """A horizontal bar chart as an accessible SVG string (role="img" with a <title> and a
    <desc> listing every value, since screen readers cannot read bar lengths). Labels and title
    are escaped: organisation names and themes come from outside. The page beside it should
    still show the same figures in a table."""
    for label, value in series:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"bar {label!r} has value {value!r}; bars need a finite value >= 0")
    scale_max = max_value if max_value is not None else max((v for _, v in series), default=0)
    bar_area = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    height = CHART_TITLE_HEIGHT + CHART_ROW_HEIGHT * max(len(series), 1)
    chart_id = f"chart-{_slug(title)}"
    description = "; ".join(f"{label}: {_format_value(value, unit)}" for label, value in series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{html.escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{html.escape(description or "No data")}</desc>',
        f'<text x="0" y="20" font-weight="bold">{html.escape(title)}</text>',
    ]
    if not series:
        parts.append(f'<text x="0" y="{CHART_TITLE_HEIGHT + 18}">No data for this period</text>')
    for row, (label, value) in enumerate(series):
        top = CHART_TITLE_HEIGHT + row * CHART_ROW_HEIGHT
        width = 0.0 if scale_max <= 0 else bar_area * min(value, scale_max) / scale_max
        parts.extend(
            [
                f'<text x="{CHART_LABEL_WIDTH - 8}" y="{top + 14}" text-anchor="end">'
                f"{html.escape(label)}</text>",
                f'<rect x="{CHART_LABEL_WIDTH}" y="{top}" width="{width:.1f}" '
                f'height="{CHART_BAR_HEIGHT}" fill="#1d70b8"/>',
                f'<text x="{CHART_LABEL_WIDTH + width + 6:.1f}" y="{top + 14}">'
                f"{html.escape(_format_value(value, unit))}</text>",
            ]
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _chart_series(values: Mapping[str, object]) -> list[tuple[str, float]]:
    """Numbers from rendered figures; a suppressed count becomes an empty bar labelled as such."""
    series: list[tuple[str, float]] = []
    for label, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            series.append((label.replace("_", " "), float(value)))
        elif value is not None:
            series.append((f"{label.replace('_', ' ')} ({value})", 0.0))
    return series


def _mapping(figures: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = figures[key]
    if not isinstance(value, Mapping):
        raise TypeError(f"figures[{key!r}] should be a mapping, not {type(value).__name__}")
    return value


def dashboard_charts(figures: Mapping[str, object]) -> dict[str, str]:
    """The dashboard's charts from rendered figures (`Kpis.as_json()` or `suppress(...)`)."""
    by_stage = _mapping(figures, "cases_by_stage")
    outcomes = _mapping(figures, "outcomes")
    by_question = _mapping(_mapping(figures, "satisfaction"), "by_question")
    organisations = _mapping(_mapping(figures, "organisation_satisfaction"), "by_question")
    return {
        "stages": bar_chart_svg(_chart_series(by_stage), "Cases by stage"),
        "outcomes": bar_chart_svg(_chart_series(outcomes), "Outcomes of cases closed"),
        "satisfaction": bar_chart_svg(
            _chart_series(by_question), "Satisfaction: % agreeing", unit="%", max_value=100
        ),
        "organisation_satisfaction": bar_chart_svg(
            _chart_series(organisations),
            "Organisations investigated: % agreeing",
            unit="%",
            max_value=100,
        ),
    }
