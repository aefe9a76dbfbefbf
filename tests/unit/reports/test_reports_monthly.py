"""Monthly figures (issue 14): UK calendar months, the assessment target, suppression of counts
and of the percentages drawn from them, the CSV, and the trend chart."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from services.reports.domain import (
    ASSESSMENT_DECISION_TARGET_WORKING_DAYS,
    Publisher,
    ReportingPeriod,
    Share,
    last_months,
    monthly_figures,
    monthly_to_csv,
    months_between,
    trend_chart_svg,
    trend_charts,
)
from shared.events import ClosureReason
from tests.unit.reports.golden_march import CASES, RESPONSES, TODAY, case, weekdays_between

SVG = "{http://www.w3.org/2000/svg}"


def test_months_are_calendar_months_clipped_to_the_period() -> None:
    months = months_between(date(2025, 1, 15), date(2025, 3, 10))
    assert months == [
        ReportingPeriod(date(2025, 1, 15), date(2025, 1, 31)),
        ReportingPeriod(date(2025, 2, 1), date(2025, 2, 28)),
        ReportingPeriod(date(2025, 3, 1), date(2025, 3, 10)),
    ]


def test_the_last_twelve_months_end_today() -> None:
    period = last_months(date(2026, 12, 3))
    assert period == ReportingPeriod(date(2026, 1, 1), date(2026, 12, 3))
    assert len(months_between(period.start, period.end)) == 12


def test_a_month_is_a_uk_month_not_a_utc_one() -> None:
    # 23:30 UTC on 31 March 2025 (BST) is 00:30 on 1 April in the UK: April's complaint.
    late = case(
        "R-1", received=date(2025, 3, 31), received_at=datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    )
    march, april = monthly_figures(
        [late],
        [],
        months_between(date(2025, 3, 1), date(2025, 4, 30)),
        working_days_between=weekdays_between,
        today=TODAY,
    )
    assert (march.complaints_received, april.complaints_received) == (0, 1)


def test_golden_march_month_matches_the_period_figures() -> None:
    [february, march] = monthly_figures(
        CASES,
        RESPONSES,
        months_between(date(2025, 2, 1), date(2025, 3, 31)),
        working_days_between=weekdays_between,
        today=TODAY,
    )
    assert march.complaints_received == 6
    assert march.cases_closed == 6
    assert march.acknowledged_within_target == Share(4, 6)
    assert march.uphold_rate == Share(3, 4)
    assert february.complaints_received == 1  # G, received on 28 February


def test_assessment_decisions_within_target_count_working_days() -> None:
    on_time = case(
        "R-1", received=date(2025, 3, 3), assessed=date(2025, 3, 31), reason=ClosureReason.DECLINED
    )  # 20 weekdays after 3 March
    late = case(
        "R-2", received=date(2025, 3, 3), assessed=date(2025, 4, 1), reason=ClosureReason.DECLINED
    )
    assert (
        weekdays_between(date(2025, 3, 3), date(2025, 3, 31))
        == ASSESSMENT_DECISION_TARGET_WORKING_DAYS
    )
    [march, april] = monthly_figures(
        [on_time, late],
        [],
        months_between(date(2025, 3, 1), date(2025, 4, 30)),
        working_days_between=weekdays_between,
        today=TODAY,
    )
    assert march.assessment_within_target == Share(1, 1)
    assert april.assessment_within_target == Share(0, 1)


@pytest.mark.parametrize(
    ("share", "published"),
    [
        (Share(3, 10), None),  # 30% of 10 gives the 3 away
        (Share(5, 10), 50.0),
        (Share(0, 10), 0.0),  # none of ten identifies nobody
        (Share(4, 4), None),  # based on too few
        (Share(9, 10, population=4), None),  # answers from four people
    ],
)
def test_percentages_from_suppressed_counts_are_suppressed(
    share: Share, published: float | None
) -> None:
    assert Publisher().pct(share) == published


def test_published_month_says_fewer_than_5_and_keeps_zero() -> None:
    [march] = monthly_figures(
        CASES,
        RESPONSES,
        [ReportingPeriod(date(2025, 3, 1), date(2025, 3, 31))],
        working_days_between=weekdays_between,
        today=TODAY,
    )
    row = march.published(Publisher())
    assert row["month"] == "2025-03"
    assert row["complaints_received"] == 6
    assert row["acknowledged_within_target_pct"] is None  # 4 of 6: the 4 is suppressed
    assert row["uphold_rate_pct"] is None  # based on 4 investigated cases
    unsuppressed = march.published(Publisher(1))
    assert unsuppressed["acknowledged_within_target_pct"] == 66.7
    assert unsuppressed["uphold_rate_pct"] == 75.0


def test_monthly_csv_has_one_row_per_month_and_defuses_formulas() -> None:
    rows = [
        {"month": "2025-02", "complaints_received": "fewer than 5", "uphold_rate_pct": None},
        {"month": "2025-03", "complaints_received": 6, "uphold_rate_pct": 75.0},
    ]
    parsed = list(csv.reader(io.StringIO(monthly_to_csv(rows))))
    assert parsed == [
        ["month", "complaints_received", "uphold_rate_pct"],
        ["2025-02", "fewer than 5", ""],
        ["2025-03", "6", "75.0"],
    ]
    assert monthly_to_csv([{"month": "=cmd()"}]).splitlines()[1] == "'=cmd()"


def test_trend_chart_draws_points_and_breaks_at_suppressed_months() -> None:
    svg = trend_chart_svg(
        [
            ("Jan 2025", 10.0),
            ("Feb 2025", 20.0),
            ("Mar 2025", "fewer than 5"),
            ("Apr 2025", None),
            ("May 2025", 5.0),
        ],
        "Complaints received each month",
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert len(list(root.iter(f"{SVG}circle"))) == 3  # no point for a suppressed or empty month
    [line] = list(root.iter(f"{SVG}polyline"))  # Jan-Feb; May stands alone
    assert len(line.get("points", "").split()) == 2
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "fewer than 5" in texts
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == (
        "Jan 2025: 10; Feb 2025: 20; Mar 2025: fewer than 5; Apr 2025: not available; May 2025: 5"
    )


def test_trend_points_are_placed_by_value() -> None:
    root = ET.fromstring(
        trend_chart_svg([("a", 0.0), ("b", 50.0), ("c", 100.0)], "t", max_value=100)
    )
    heights = [float(c.get("cy", "nan")) for c in root.iter(f"{SVG}circle")]
    assert heights[0] > heights[1] > heights[2]
    assert heights[0] - heights[1] == pytest.approx(heights[1] - heights[2])


def test_every_trend_has_a_chart_and_an_escaped_title() -> None:
    charts = trend_charts(
        [
            {
                "month": "2025-03",
                **dict.fromkeys(
                    [
                        "complaints_received",
                        "cases_closed",
                        "acknowledged_within_target_pct",
                        "assessment_decided_within_target_pct",
                        "uphold_rate_pct",
                        "satisfaction_pct",
                    ],
                    None,
                ),
            }
        ]
    )
    assert charts[0].key == "complaints_received"
    assert len(charts) == 6
    for chart in charts:
        title = ET.fromstring(chart.svg).find(f"{SVG}title")
        assert title is not None
        assert title.text == chart.title
