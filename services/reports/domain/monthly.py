"""Monthly figures: the headline KPIs for each UK calendar month, and the breakdowns by sector and
by organisation, ready to publish (small numbers suppressed).

Suppression (docs/reference/domain-rules.md §5, threshold 5 as for every published figure): a
count from 1 to 4 is published as "fewer than 5"; a percentage is not published (null) when it is
based on fewer than 5 cases or people, or when the count it is a share of is itself suppressed
(30% of 10 would give the 3 away). Zero stays 0: an empty cell identifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from services.reports.domain.facts import (
    SUPPRESSION_THRESHOLD,
    CaseFacts,
    ReportingPeriod,
    SatisfactionResponse,
    WorkingDaysBetween,
)
from services.reports.domain.kpis import (
    Share,
    agree_share,
    compute_kpis,
    recommendations_by_organisation,
    uphold_rate,
)

# docs/reference/domain-rules.md §1.6 `phso.assessment_decision_target` (SECONDARY, old PHSO
# page): "We aim to give you our decision within 20 working days of receiving your complaint."
ASSESSMENT_DECISION_TARGET_WORKING_DAYS = 20
# The dashboard's trend: the last 12 months, as the issue asks.
TREND_MONTHS = 12
# The most months one request may ask for: three years of trend. A design choice (no sourced
# figure) that bounds the work of one request; a longer series is several requests.
MAX_MONTHS = 36

Published = int | str | float | None


def months_between(first: date, last: date) -> list[ReportingPeriod]:
    """The UK calendar months from the one holding `first` to the one holding `last`, each
    clipped to [first, last] (so a month still running ends at `last`)."""
    months = []
    start = first.replace(day=1)
    while start <= last:
        following = (start + timedelta(days=32)).replace(day=1)
        months.append(ReportingPeriod(max(start, first), min(following - timedelta(days=1), last)))
        start = following
    return months


def last_months(today: date, count: int = TREND_MONTHS) -> ReportingPeriod:
    """`count` calendar months ending with today's month (which runs to today)."""
    start = today.replace(day=1)
    for _ in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return ReportingPeriod(start, today)


class Publisher:
    """Small-number suppression of counts and of the percentages drawn from them."""

    def __init__(self, threshold: int = SUPPRESSION_THRESHOLD) -> None:
        self.threshold = threshold

    def too_few(self, n: int) -> bool:
        return 0 < n < self.threshold

    def count(self, n: int) -> int | str:
        return f"fewer than {self.threshold}" if self.too_few(n) else n

    def pct(self, share: Share) -> float | None:
        if self.too_few(share.based_on) or self.too_few(share.numerator):
            return None
        return share.pct


@dataclass(frozen=True, slots=True)
class MonthFigures:
    period: ReportingPeriod
    complaints_received: int
    cases_closed: int
    acknowledged_within_target: Share
    assessment_within_target: Share
    uphold_rate: Share
    satisfaction: Share

    def published(self, publisher: Publisher) -> dict[str, Published]:
        return {
            "month": self.period.start.strftime("%Y-%m"),
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "complaints_received": publisher.count(self.complaints_received),
            "cases_closed": publisher.count(self.cases_closed),
            "acknowledged_within_target_pct": publisher.pct(self.acknowledged_within_target),
            "assessment_decided_within_target_pct": publisher.pct(self.assessment_within_target),
            "uphold_rate_pct": publisher.pct(self.uphold_rate),
            "satisfaction_pct": publisher.pct(self.satisfaction),
        }


def monthly_figures(
    cases: Sequence[CaseFacts],
    responses: Sequence[SatisfactionResponse],
    months: Iterable[ReportingPeriod],
    *,
    working_days_between: WorkingDaysBetween,
    today: date,
) -> list[MonthFigures]:
    """The headline figures of each month. Satisfaction is the complainants' survey: the share of
    all their answers in the month that agreed (organisations' answers are reported apart)."""
    figures = []
    for month in months:
        kpis = compute_kpis(
            cases,
            responses,
            period_from=month.start,
            period_to=month.end,
            organisation=None,
            sector=None,
            working_days_between=working_days_between,
            today=today,
        )
        decided = kpis.working_days_to_assessment_decision.values
        complainants = [
            r.answers
            for r in responses
            if r.respondent == "complainant" and month.contains(r.submitted_at)
        ]
        figures.append(
            MonthFigures(
                period=month,
                complaints_received=kpis.complaints_received,
                cases_closed=kpis.cases_closed,
                acknowledged_within_target=kpis.acknowledged_within_target,
                assessment_within_target=Share(
                    sum(days <= ASSESSMENT_DECISION_TARGET_WORKING_DAYS for days in decided),
                    len(decided),
                ),
                uphold_rate=kpis.uphold_rate,
                satisfaction=agree_share(complainants, None),
            )
        )
    return figures


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    name: str
    received: int
    closed: int
    uphold_rate: Share

    def published(self, publisher: Publisher) -> dict[str, Published]:
        return {
            "name": self.name,
            "received": publisher.count(self.received),
            "closed": publisher.count(self.closed),
            "uphold_rate_pct": publisher.pct(self.uphold_rate),
        }


def breakdown(
    cases: Iterable[CaseFacts], period: ReportingPeriod, *, by_sector: bool
) -> list[BreakdownRow]:
    """Complaints received and closed in the period, and the uphold rate, per sector or per
    organisation; most complaints first."""
    groups: dict[str, list[CaseFacts]] = {}
    for case in cases:
        if period.contains(case.received_at) or period.contains(case.closed_at):
            key = case.sector.value if by_sector else case.organisation
            groups.setdefault(key, []).append(case)
    rows = [
        BreakdownRow(
            name=name,
            received=sum(period.contains(c.received_at) for c in group),
            closed=sum(period.contains(c.closed_at) for c in group),
            uphold_rate=uphold_rate(c for c in group if period.contains(c.closed_at)),
        )
        for name, group in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.received, row.name))


def compliance_by_organisation(
    cases: Iterable[CaseFacts], period: ReportingPeriod, today: date, publisher: Publisher
) -> list[dict[str, Published]]:
    """Recommendations made in the period, per organisation: how many, how many carried out, and
    the share carried out (compliance)."""
    rows = []
    for name, counts in recommendations_by_organisation(cases, period, today).items():
        rows.append(
            {
                "name": name,
                "made": publisher.count(counts.made),
                "implemented": publisher.count(counts.implemented),
                "overdue": publisher.count(counts.overdue),
                "compliance_pct": publisher.pct(Share(counts.implemented, counts.made)),
            }
        )
    return rows
