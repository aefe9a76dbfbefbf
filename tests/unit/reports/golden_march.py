"""Golden data for the reports tests: eight cases and six survey answers in March 2025.

Every figure the tests expect from these is worked out by hand in the comments below and in the
tests, with `weekdays_between` as the calendar (Monday to Friday, no bank holidays: there are
none in England in March 2025).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.reports.domain import (
    CaseFacts,
    Kpis,
    RecommendationFacts,
    SatisfactionResponse,
    compute_kpis,
)
from shared.events import (
    Channel,
    ClosureReason,
    RecommendationStatus,
    RecommendationType,
    Sector,
    Stage,
)

MARCH_FROM = date(2025, 3, 1)
MARCH_TO = date(2025, 3, 31)
TODAY = date(2025, 4, 1)
TRUST = "Northshire NHS Trust"
DEPARTMENT = "HM Department of Widgets"


def weekdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`, counting Monday to Friday only."""
    return sum((start + timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1))


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def case(
    reference: str,
    *,
    organisation: str = TRUST,
    sector: Sector = Sector.HEALTH,
    channel: Channel = Channel.WEB,
    received: date,
    acknowledged: date | None = None,
    assessed: date | None = None,
    closed: date | None = None,
    reason: ClosureReason | None = None,
    stage: Stage = Stage.CLOSED,
    themes: tuple[str, ...] = (),
    recommendations: tuple[RecommendationFacts, ...] = (),
    received_at: datetime | None = None,
) -> CaseFacts:
    return CaseFacts(
        reference=reference,
        organisation=organisation,
        sector=sector,
        channel=channel,
        received_at=received_at or at(received),
        opened_at=received_at or at(received),
        acknowledged_at=at(acknowledged) if acknowledged else None,
        assessment_decided_at=at(assessed) if assessed else None,
        closed_at=at(closed) if closed else None,
        closure_reason=reason,
        stage=stage,
        themes=list(themes),
        recommendations=list(recommendations),
    )


def recommendation(
    rid: str,
    kind: RecommendationType,
    status: RecommendationStatus,
    due_on: date,
    made: date | None,
) -> RecommendationFacts:
    return RecommendationFacts(
        recommendation_id=rid,
        type=kind,
        due_on=due_on,
        status=status,
        made_at=at(made) if made else None,
    )


# March 2025 (GMT until Sunday 30 March, then BST). 3 March is a Monday.
CASES = [
    # received Mon 3; ack next day (1 wd, target 1: met); assessed Fri 7 (4); upheld Fri 14 (9)
    case(
        "A",
        received=date(2025, 3, 3),
        acknowledged=date(2025, 3, 4),
        assessed=date(2025, 3, 7),
        closed=date(2025, 3, 14),
        reason=ClosureReason.UPHELD,
        themes=("communication", "clinical treatment"),
        recommendations=(
            recommendation(
                "A1",
                RecommendationType.APOLOGY,
                RecommendationStatus.IMPLEMENTED,
                date(2025, 3, 28),
                date(2025, 3, 14),
            ),
            recommendation(
                "A2",
                RecommendationType.SERVICE_IMPROVEMENT,
                RecommendationStatus.ACCEPTED,  # due 20 March, not done by 1 April: overdue
                date(2025, 3, 20),
                date(2025, 3, 14),
            ),
        ),
    ),
    # email, ack after 2 wd (target 1: missed); assessed Mon 10 (5); partly upheld Mon 17 (10)
    case(
        "B",
        channel=Channel.EMAIL,
        received=date(2025, 3, 3),
        acknowledged=date(2025, 3, 5),
        assessed=date(2025, 3, 10),
        closed=date(2025, 3, 17),
        reason=ClosureReason.PARTLY_UPHELD,
        themes=("communication",),
        recommendations=(
            recommendation(
                "B1",
                RecommendationType.FINANCIAL_REMEDY,
                RecommendationStatus.MADE,  # not yet due
                date(2025, 4, 30),
                date(2025, 3, 17),
            ),
        ),
    ),
    # letter received Thu 6, ack Mon 10 (2 wd, target 2: met); assessed Mon 10 (2);
    # not upheld Mon 24 (12)
    case(
        "C",
        channel=Channel.LETTER,
        received=date(2025, 3, 6),
        acknowledged=date(2025, 3, 10),
        assessed=date(2025, 3, 10),
        closed=date(2025, 3, 24),
        reason=ClosureReason.NOT_UPHELD,
        themes=("delay",),
    ),
    # received Fri 7, ack same day (met); declined at assessment Tue 11 (2)
    case(
        "D",
        received=date(2025, 3, 7),
        acknowledged=date(2025, 3, 7),
        assessed=date(2025, 3, 11),
        closed=date(2025, 3, 11),
        reason=ClosureReason.DECLINED,
    ),
    # withdrawn: counted as closed, left out of the time to decision
    case(
        "E",
        organisation=DEPARTMENT,
        sector=Sector.PARLIAMENTARY,
        received=date(2025, 3, 10),
        acknowledged=date(2025, 3, 11),
        closed=date(2025, 3, 12),
        reason=ClosureReason.WITHDRAWN,
        themes=("communication",),
    ),
    # phone, never acknowledged and now 11 wd late: a miss; assessed Fri 21 (4); still open
    case(
        "F",
        organisation=DEPARTMENT,
        sector=Sector.PARLIAMENTARY,
        channel=Channel.PHONE,
        received=date(2025, 3, 17),
        assessed=date(2025, 3, 21),
        stage=Stage.INVESTIGATION,
        themes=("delay", "communication"),
    ),
    # received in February (not counted as received), assessed Mon 10 March (6),
    # upheld Mon 31 March (21 wd); its recommendation has no made_at: falls back to closure
    case(
        "G",
        organisation=DEPARTMENT,
        sector=Sector.PARLIAMENTARY,
        received=date(2025, 2, 28),
        acknowledged=date(2025, 3, 3),
        assessed=date(2025, 3, 10),
        closed=date(2025, 3, 31),
        reason=ClosureReason.UPHELD,
        themes=("clinical treatment",),
        recommendations=(
            recommendation(
                "G1",
                RecommendationType.SERVICE_IMPROVEMENT,
                RecommendationStatus.OVERDUE,
                date(2025, 3, 31),
                None,
            ),
        ),
    ),
    # 23:30 UTC on Mon 31 March is 00:30 on Tue 1 April in the UK (BST): not in March
    case(
        "H",
        received=date(2025, 3, 31),
        received_at=datetime(2025, 3, 31, 23, 30, tzinfo=UTC),
        stage=Stage.ASSESSMENT,
        themes=("communication",),
    ),
]


def response(
    rid: str,
    answers: dict[str, int],
    outcome: ClosureReason | None,
    *,
    submitted: date = date(2025, 3, 20),
    respondent: str = "complainant",
    sector: Sector = Sector.HEALTH,
) -> SatisfactionResponse:
    return SatisfactionResponse.model_validate(
        {
            "response_id": rid,
            "submitted_at": at(submitted),
            "respondent": respondent,
            "sector": sector,
            "outcome": outcome,
            "answers": answers,
        }
    )


RESPONSES = [
    response(
        "R1",
        {"explain_complaint": 5, "overall_service": 4, "overall_time": 2},
        ClosureReason.UPHELD,
    ),
    response(
        "R2",
        {"explain_complaint": 2, "overall_service": 1, "decision_explained": 4},
        ClosureReason.NOT_UPHELD,
    ),
    response("R3", {"explain_complaint": 4, "overall_service": 5}, ClosureReason.UPHELD),
    response(
        "R4", {"explain_complaint": 5}, ClosureReason.UPHELD, respondent="organisation"
    ),  # organisations' survey: not complainant satisfaction
    response(
        "R5", {"overall_service": 5}, ClosureReason.UPHELD, submitted=date(2025, 4, 2)
    ),  # outside the period
    response("R6", {"overall_service": 3}, ClosureReason.DECLINED, sector=Sector.PARLIAMENTARY),
]


def march_kpis(**overrides: object) -> Kpis:
    arguments: dict[str, object] = {
        "period_from": MARCH_FROM,
        "period_to": MARCH_TO,
        "organisation": None,
        "sector": None,
        "working_days_between": weekdays_between,
        "today": TODAY,
    }
    arguments.update(overrides)
    return compute_kpis(CASES, RESPONSES, **arguments)  # type: ignore[arg-type]
