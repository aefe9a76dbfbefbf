"""A month of cases with known outcomes, as the real events casework and notifications publish,
and the KPIs worked out by hand for them (England, March 2024; Good Friday is 29 March).

Working days count from the day after receipt (receipt is day 0, docs/reference/domain-rules.md §6).

| case | channel | received   | acknowledged     | assessment decided | closed (reason)            |
|------|---------|------------|------------------|--------------------|----------------------------|
| C1   | web     | Mon 4 Mar  | 4 Mar (0, met)   | 11 Mar (5)         | 25 Mar upheld (15)         |
| C2   | email   | Tue 5 Mar  | 7 Mar (2, MISS)  | 12 Mar (5)         | 26 Mar partly upheld (15)  |
| C3   | letter  | Wed 6 Mar  | 8 Mar (2, met)   | 13 Mar (5)         | 27 Mar not upheld (15)     |
| C4   | web     | Thu 7 Mar  | 8 Mar (1, met)   | 8 Mar (1) declined | 8 Mar declined (1)         |
| C5   | phone   | Fri 8 Mar  | 11 Mar (1, met)  | 15 Mar (5)         | 15 Mar resolved early (5)  |
| C6   | web     | Mon 11 Mar | 11 Mar (0, met)  | none (withdrawn)   | 12 Mar withdrawn (left out)|
| C7   | web     | Tue 12 Mar | never: late, MISS| -                  | open, assessment           |
| C8   | email   | Wed 13 Mar | 13 Mar (0, met)  | 20 Mar (5)         | open, investigation        |
| C9   | web     | Wed 28 Feb | (February)       | 6 Mar (5)          | 28 Mar upheld (21)         |

Recommendations made in March: R1 apology (C1, implemented 28 Mar), R2 service improvement
(C2, due 27 Mar, still "made" on 15 Apr: overdue), R3 financial remedy (C9, due 31 May, made).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from shared.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    Channel,
    ClosureReason,
    FinalDecisionIssued,
    NotificationStatus,
    NotificationStatusChanged,
    Organisation,
    Outcome,
    RecommendationMade,
    RecommendationStatus,
    RecommendationSummary,
    RecommendationType,
    RecommendationUpdated,
    Sector,
    Stage,
    StageChanged,
)

TODAY = datetime(2024, 4, 15, 12, 0, tzinfo=UTC)
PERIOD_FROM = date(2024, 3, 1)
PERIOD_TO = date(2024, 3, 31)
# 10:00 UTC is 10:00 in the UK until British Summer Time starts on 31 March 2024.
AT = time(10, 0, tzinfo=UTC)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, AT).replace(hour=hour)


@dataclass
class CaseStory:
    """The events of one case, in the order casework emits them."""

    reference: str
    organisation: Organisation
    events: list[tuple[str, CaseEvent]] = field(default_factory=list)
    deliveries: list[tuple[str, NotificationStatusChanged]] = field(default_factory=list)
    stage: Stage = Stage.ASSESSMENT

    def _common(self, when: datetime) -> dict[str, object]:
        return {
            "reference": self.reference,
            "occurred_at": when,
            "organisation": self.organisation,
            "stage": self.stage,
        }

    def opened(self, day: date, channel: Channel) -> CaseStory:
        when = at(day)
        self.events.append(
            (
                "redress.case.opened",
                CaseOpened(**self._common(when), channel=channel, received_at=when),
            )
        )
        return self

    def acknowledged(self, day: date, template: str = "acknowledgement") -> CaseStory:
        when = at(day, 15)
        self.deliveries.append(
            (
                "redress.notification.delivered",
                NotificationStatusChanged(
                    notification_id=f"n-{self.reference}-{day}",
                    request_id=f"r-{self.reference}-{day}",
                    reference=self.reference,
                    channel="email",
                    template=template,
                    template_version=1,
                    status=NotificationStatus.DELIVERED,
                    at=when,
                    attempts=1,
                ),
            )
        )
        return self

    def move(self, day: date, to_stage: Stage) -> CaseStory:
        from_stage = self.stage
        self.stage = to_stage
        self.events.append(
            (
                "redress.case.stage_changed",
                StageChanged(**self._common(at(day, 11)), from_stage=from_stage, to_stage=to_stage),
            )
        )
        return self

    def decided(
        self, day: date, outcome: Outcome, recommendations: list[RecommendationSummary]
    ) -> CaseStory:
        # Casework stamps the decision and the closure it causes with the same instant.
        when = at(day, 11)
        self.events.append(
            (
                "redress.case.final_decision_issued",
                FinalDecisionIssued(
                    **self._common(when),
                    outcome=outcome,
                    review_request_due_by=date(2024, 5, 31),
                    recommendations=recommendations,
                ),
            )
        )
        for recommendation in recommendations:
            self.events.append(
                (
                    "redress.case.recommendation_made",
                    RecommendationMade(**self._common(when), recommendation=recommendation),
                )
            )
        return self

    def closed(self, day: date, reason: ClosureReason, opened: date) -> CaseStory:
        self.move(day, Stage.CLOSED)
        self.events.append(
            (
                "redress.case.closed",
                CaseClosed(
                    **self._common(at(day, 11)),
                    closure_reason=reason,
                    opened_at=at(opened),
                    working_days_open=0,
                ),
            )
        )
        return self

    def recommendation_updated(
        self, day: date, recommendation: RecommendationSummary, status: RecommendationStatus
    ) -> CaseStory:
        self.events.append(
            (
                "redress.case.recommendation_updated",
                RecommendationUpdated(
                    **self._common(at(day, 14)),
                    recommendation=recommendation.model_copy(update={"status": status}),
                    previous_status=recommendation.status,
                ),
            )
        )
        return self


def recommendation(rec_id: str, kind: RecommendationType, due_on: date) -> RecommendationSummary:
    return RecommendationSummary(
        recommendation_id=rec_id, type=kind, due_on=due_on, status=RecommendationStatus.MADE
    )


def march_cases(prefix: str, organisation_name: str) -> list[CaseStory]:
    org = Organisation(name=organisation_name, sector=Sector.HEALTH)

    def story(n: int) -> CaseStory:
        return CaseStory(f"{prefix}-C{n}", org)

    def d(day: int, month: int = 3) -> date:
        return date(2024, month, day)

    r1 = recommendation(f"{prefix}-R1", RecommendationType.APOLOGY, d(30, 4))
    r2 = recommendation(f"{prefix}-R2", RecommendationType.SERVICE_IMPROVEMENT, d(27))
    r3 = recommendation(f"{prefix}-R3", RecommendationType.FINANCIAL_REMEDY, d(31, 5))
    return [
        story(1)
        .opened(d(4), Channel.WEB)
        .acknowledged(d(4))
        .move(d(11), Stage.INVESTIGATION)
        .decided(d(25), Outcome.UPHELD, [r1])
        .closed(d(25), ClosureReason.UPHELD, d(4))
        .recommendation_updated(d(28), r1, RecommendationStatus.IMPLEMENTED),
        story(2)
        .opened(d(5), Channel.EMAIL)
        .acknowledged(d(7))
        .move(d(12), Stage.INVESTIGATION)
        .decided(d(26), Outcome.PARTLY_UPHELD, [r2])
        .closed(d(26), ClosureReason.PARTLY_UPHELD, d(5)),
        story(3)
        .opened(d(6), Channel.LETTER)
        .acknowledged(d(8))
        .move(d(13), Stage.INVESTIGATION)
        .decided(d(27), Outcome.NOT_UPHELD, [])
        .closed(d(27), ClosureReason.NOT_UPHELD, d(6)),
        story(4)
        .opened(d(7), Channel.WEB)
        .acknowledged(d(8))
        .closed(d(8), ClosureReason.DECLINED, d(7)),
        story(5)
        .opened(d(8), Channel.PHONE)
        .acknowledged(d(11))
        .closed(d(15), ClosureReason.RESOLVED_EARLY, d(8)),
        story(6)
        .opened(d(11), Channel.WEB)
        .acknowledged(d(11))
        .closed(d(12), ClosureReason.WITHDRAWN, d(11)),
        # A message that is not the acknowledgement does not acknowledge.
        story(7).opened(d(12), Channel.WEB).acknowledged(d(12), template="case_update"),
        story(8).opened(d(13), Channel.EMAIL).acknowledged(d(13)).move(d(20), Stage.INVESTIGATION),
        story(9)
        .opened(d(28, 2), Channel.WEB)
        .acknowledged(d(28, 2))
        .move(d(6), Stage.INVESTIGATION)
        .decided(d(28), Outcome.UPHELD, [r3])
        .closed(d(28), ClosureReason.UPHELD, d(28, 2)),
    ]


def expected_unsuppressed(organisation_name: str) -> dict[str, object]:
    """The figures for `organisation_name` in March 2024, worked out by hand (module docstring)."""
    return {
        "period": {"from": "2024-03-01", "to": "2024-03-31"},
        "filters": {"organisation": organisation_name, "sector": None},
        "complaints_received": 8,  # C1..C8
        "cases_closed": 7,  # C1..C6 and C9
        "cases_by_stage": {
            "assessment": 1,
            "investigation": 1,
            "draft_decision": 0,
            "review": 0,
            "closed": 7,
        },
        # Due: C1..C8 (C7 never acknowledged and past its target by 15 April); missed: C2, C7.
        "acknowledged_within_target_pct": 75.0,
        # C4 1, C5 5, C1 15, C2 15, C3 15, C9 21 (C6 withdrawn: not a decision).
        "working_days_to_decision": {"median": 15.0, "p90": 21, "cases": 6},
        # C4 1; C1, C2, C3, C5, C8, C9 5 each.
        "working_days_to_assessment_decision": {"median": 5.0, "p90": 5, "cases": 7},
        "outcomes": {
            "upheld": 2,
            "partly_upheld": 1,
            "not_upheld": 1,
            "declined": 1,
            "resolved_early": 1,
            "withdrawn": 1,
        },
        "uphold_rate_pct": 75.0,  # (2 + 1) / 4 investigated
        "recommendations": {"made": 3, "implemented": 1, "overdue": 1, "not_complied": 0},
        "recommendations_by_organisation": {
            organisation_name: {"made": 3, "implemented": 1, "overdue": 1, "not_complied": 0}
        },
        "themes": {},
        "satisfaction": {
            "responses": 0,
            "by_question": {},
            "by_outcome": {},
            "impartiality_pct": None,
        },
        "organisation_satisfaction": {
            "responses": 0,
            "by_question": {},
            "by_outcome": {},
            "impartiality_pct": None,
        },
        "notes": [
            "Survey answers are anonymised and carry no organisation, so satisfaction is not "
            "reported for a single organisation."
        ],
    }
