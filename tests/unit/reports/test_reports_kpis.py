"""KPIs from the reports read model, checked against figures worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reports.domain import (
    CaseFacts,
    Distribution,
    ReportingPeriod,
    ReportRules,
    compute_kpis,
    kpis_to_csv,
    nearest_rank,
    percentage,
    suppress,
    uk_date,
)
from shared.events import Channel, ClosureReason, Stage
from tests.unit.reports.golden_march import (
    DEPARTMENT,
    MARCH_FROM,
    MARCH_TO,
    TODAY,
    TRUST,
    at,
    case,
    march_kpis,
    weekdays_between,
)


def test_the_test_calendar_counts_like_the_domain_rules() -> None:
    # Receipt day is day 0; a Friday to the next Monday is one working day.
    assert weekdays_between(date(2025, 3, 7), date(2025, 3, 10)) == 1
    assert weekdays_between(date(2025, 2, 28), date(2025, 3, 31)) == 21


def test_golden_figures_for_march() -> None:
    figures = march_kpis().as_json()

    assert figures["period"] == {"from": "2025-03-01", "to": "2025-03-31"}
    assert figures["complaints_received"] == 6  # A-F; G came in February, H on 1 April (UK)
    assert figures["cases_closed"] == 6  # A, B, C, D, E, G
    assert figures["cases_by_stage"] == {
        "assessment": 0,
        "investigation": 1,
        "draft_decision": 0,
        "review": 0,
        "closed": 6,
    }
    # A, C, D, E met; B late; F unacknowledged past its target
    assert figures["acknowledged_within_target_pct"] == 66.7
    # [2, 9, 10, 12, 21]: median 10; nearest rank ceil(0.9 * 5) = 5th = 21
    assert figures["working_days_to_decision"] == {"median": 10.0, "p90": 21, "cases": 5}
    # [2, 2, 4, 4, 5, 6]: median (4 + 4) / 2; nearest rank ceil(5.4) = 6th = 6
    assert figures["working_days_to_assessment_decision"] == {
        "median": 4.0,
        "p90": 6,
        "cases": 6,
    }
    assert figures["outcomes"] == {
        "upheld": 2,
        "partly_upheld": 1,
        "not_upheld": 1,
        "declined": 1,
        "resolved_early": 0,
        "withdrawn": 1,
    }
    assert figures["uphold_rate_pct"] == 75.0  # (2 + 1) / (2 + 1 + 1)
    assert figures["recommendations"] == {
        "made": 4,
        "implemented": 1,
        "overdue": 2,  # A2 open past due, G1 marked overdue
        "not_complied": 0,
    }
    assert figures["recommendations_by_organisation"] == {
        DEPARTMENT: {"made": 1, "implemented": 0, "overdue": 1, "not_complied": 0},
        TRUST: {"made": 3, "implemented": 1, "overdue": 1, "not_complied": 0},
    }
    assert figures["themes"] == {"communication": 4, "delay": 2, "clinical treatment": 1}
    assert list(figures["themes"]) == ["communication", "delay", "clinical treatment"]
    assert figures["satisfaction"] == {
        "responses": 4,  # R1, R2, R3, R6
        "by_question": {
            "decision_explained": 100.0,  # 1 of 1
            "explain_complaint": 66.7,  # 5, 2, 4
            "overall_service": 50.0,  # 4, 1, 5, 3
            "overall_time": 0.0,  # 2
        },
        "by_outcome": {
            "upheld": 80.0,  # 5, 4, 2, 4, 5
            "not_upheld": 33.3,  # 2, 1, 4
            "declined": 0.0,  # 3
        },
        "impartiality_pct": 75.0,  # 5, 2, 4, 4
    }
    assert figures["notes"] == []


def test_sector_filter_applies_to_cases_and_survey_answers() -> None:
    figures = march_kpis(sector="parliamentary").as_json()

    assert figures["complaints_received"] == 2  # E, F
    assert figures["cases_closed"] == 2  # E, G
    assert figures["uphold_rate_pct"] == 100.0  # G
    assert figures["working_days_to_decision"] == {"median": 21.0, "p90": 21, "cases": 1}
    assert figures["satisfaction"]["responses"] == 1  # type: ignore[index]
    assert figures["filters"] == {"organisation": None, "sector": "parliamentary"}


def test_organisation_filter_leaves_satisfaction_out_and_says_why() -> None:
    figures = march_kpis(organisation=TRUST).as_json()

    assert figures["complaints_received"] == 4  # A-D
    assert figures["satisfaction"]["responses"] == 0  # type: ignore[index]
    assert figures["satisfaction"]["by_question"] == {}  # type: ignore[index]
    assert any("no organisation" in note for note in figures["notes"])  # type: ignore[attr-defined]


def test_unacknowledged_case_still_within_target_is_not_yet_counted() -> None:
    fresh = case("N", received=date(2025, 3, 31), stage=Stage.ASSESSMENT, channel=Channel.LETTER)
    kpis = compute_kpis(
        [fresh],
        [],
        period_from=MARCH_FROM,
        period_to=MARCH_TO,
        organisation=None,
        sector=None,
        working_days_between=weekdays_between,
        today=TODAY,  # 1 wd after receipt, target 2
    )
    assert kpis.acknowledged_within_target.denominator == 0
    assert kpis.as_json()["acknowledged_within_target_pct"] is None


def test_ack_targets_come_from_the_rules() -> None:
    strict = ReportRules(ack_target_working_days=dict.fromkeys(Channel, 0))
    figures = march_kpis(rules=strict).as_json()
    assert figures["acknowledged_within_target_pct"] == 16.7  # only D, acknowledged same day


def test_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="after it ends"):
        march_kpis(period_from=date(2025, 4, 1))


def test_empty_read_model_gives_zeros_and_nulls() -> None:
    figures = compute_kpis(
        [],
        [],
        period_from=MARCH_FROM,
        period_to=MARCH_TO,
        organisation=None,
        sector=None,
        working_days_between=weekdays_between,
        today=TODAY,
    ).as_json()
    assert figures["complaints_received"] == 0
    assert figures["uphold_rate_pct"] is None
    assert figures["working_days_to_decision"] == {"median": None, "p90": None, "cases": 0}
    assert set(figures["outcomes"].values()) == {0}  # type: ignore[attr-defined]


def test_uk_date_follows_british_summer_time() -> None:
    assert uk_date(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == date(2025, 4, 1)
    assert uk_date(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == date(2025, 1, 31)
    assert uk_date(datetime(2025, 6, 30, 23, 30)) == date(2025, 7, 1)  # naive means UTC


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(2, 3, 66.7), (1, 3, 33.3), (1, 8, 12.5), (1, 16, 6.3), (0, 5, 0.0), (1, 0, None)],
)
def test_percentages_round_half_up_to_one_place(
    numerator: int, denominator: int, expected: float | None
) -> None:
    # 1/16 = 6.25%: banker's rounding would publish 6.2
    assert percentage(numerator, denominator) == expected


def test_reporting_period_includes_both_ends() -> None:
    period = ReportingPeriod(MARCH_FROM, MARCH_TO)
    assert period.contains(at(MARCH_FROM, 0, 0))
    assert period.contains(at(MARCH_TO, 22, 59))  # 23:59 BST
    assert not period.contains(at(date(2025, 2, 28), 23, 59))
    assert not period.contains(None)


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_nearest_rank_p90_is_an_observed_value_with_90_percent_at_or_below(
    values: list[int],
) -> None:
    p90 = nearest_rank(sorted(values), 0.9)
    assert p90 in values
    assert sum(v <= p90 for v in values) >= 0.9 * len(values)
    assert sum(v < p90 for v in values) < 0.9 * len(values)


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_median_sits_between_p90_and_minimum(values: list[int]) -> None:
    distribution = Distribution.of(values)
    assert distribution.median is not None
    assert distribution.p90 is not None
    assert min(values) <= distribution.median <= distribution.p90 <= max(values)


def test_nearest_rank_examples() -> None:
    assert nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9) == 10  # ceil(9.9) = 10th
    assert nearest_rank([7], 0.9) == 7


# ------------------------------------------------------------------------------------------
# Suppression
# ------------------------------------------------------------------------------------------


def test_suppression_hides_small_counts_and_rates_from_few_cases() -> None:
    published = suppress(march_kpis())

    assert published["complaints_received"] == 6
    assert published["outcomes"] == {
        "upheld": "fewer than 5",
        "partly_upheld": "fewer than 5",
        "not_upheld": "fewer than 5",
        "declined": "fewer than 5",
        "resolved_early": 0,  # zero identifies nobody
        "withdrawn": "fewer than 5",
    }
    # 66.7% of 6 cases is 4 cases, a count that is itself suppressed (issue 14): not published.
    assert published["acknowledged_within_target_pct"] is None
    assert published["uphold_rate_pct"] is None  # based on 4 investigated cases
    assert published["working_days_to_decision"] == {"median": 10.0, "p90": 21, "cases": 5}
    assert published["satisfaction"] == {
        "responses": "fewer than 5",
        "by_question": {
            "decision_explained": None,
            "explain_complaint": None,
            "overall_service": None,
            "overall_time": None,
        },
        "by_outcome": {"upheld": None, "not_upheld": None, "declined": None},
        "impartiality_pct": None,
    }
    notes = " ".join(published["notes"])  # type: ignore[arg-type]
    assert "uphold_rate_pct" in notes
    assert "acknowledged_within_target_pct" in notes
    assert "fewer than 5" in notes


def test_suppression_threshold_is_a_parameter() -> None:
    published = suppress(march_kpis(), threshold=2)
    assert published["outcomes"]["upheld"] == 2  # type: ignore[index]
    assert published["outcomes"]["partly_upheld"] == "fewer than 2"  # type: ignore[index]
    assert published["uphold_rate_pct"] == 75.0
    with pytest.raises(ValueError, match="at least 1"):
        suppress(march_kpis(), threshold=0)


def test_staff_view_is_unsuppressed() -> None:
    assert march_kpis().as_json()["outcomes"]["upheld"] == 2  # type: ignore[index]


def _numbers(value: object) -> list[object]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value]


days = st.integers(min_value=0, max_value=60)


@st.composite
def cases_strategy(draw: st.DrawFn) -> CaseFacts:
    received = date(2025, 2, 15) + timedelta(days=draw(days))
    closed_after = draw(st.none() | st.integers(min_value=0, max_value=40))
    closed = received + timedelta(days=closed_after) if closed_after is not None else None
    return case(
        draw(st.uuids()).hex,
        organisation=draw(st.sampled_from([TRUST, DEPARTMENT])),
        channel=draw(st.sampled_from(list(Channel))),
        received=received,
        acknowledged=draw(st.none() | st.just(received + timedelta(days=1))),
        closed=closed,
        reason=draw(st.sampled_from(list(ClosureReason))) if closed else None,
        stage=Stage.CLOSED if closed else draw(st.sampled_from(list(Stage)[:-1])),
        themes=tuple(draw(st.lists(st.sampled_from(["delay", "communication"]), max_size=2))),
    )


@given(st.lists(cases_strategy(), max_size=25))
def test_published_figures_never_show_a_count_from_1_to_4(cases: list[CaseFacts]) -> None:
    kpis = compute_kpis(
        cases,
        [],
        period_from=MARCH_FROM,
        period_to=MARCH_TO,
        organisation=None,
        sector=None,
        working_days_between=weekdays_between,
        today=TODAY,
    )
    published = suppress(kpis)
    counts = [n for n in _numbers(published) if isinstance(n, int) and not isinstance(n, bool)]
    assert not [n for n in counts if 0 < n < 5]
    assert sum(kpis.outcomes.values()) == kpis.cases_closed
    assert sum(kpis.cases_by_stage.values()) <= len(cases)


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_one_metric_per_row_in_json_order() -> None:
    rows = _rows(kpis_to_csv(march_kpis()))

    assert rows[0] == ["metric", "value"]
    assert rows[1:4] == [
        ["period.from", "2025-03-01"],
        ["period.to", "2025-03-31"],
        ["filters.organisation", ""],
    ]
    values = dict(rows[1:])
    assert values["complaints_received"] == "6"
    assert values["outcomes.partly_upheld"] == "1"
    assert values["working_days_to_decision.p90"] == "21"
    assert values["uphold_rate_pct"] == "75.0"
    assert values[f"recommendations_by_organisation.{TRUST}.made"] == "3"
    assert values["satisfaction.by_question.explain_complaint"] == "66.7"


def test_csv_is_stable_between_runs() -> None:
    assert kpis_to_csv(march_kpis()) == kpis_to_csv(march_kpis())


def test_csv_of_published_figures_keeps_suppression() -> None:
    values = dict(_rows(kpis_to_csv(suppress(march_kpis())))[1:])
    assert values["outcomes.upheld"] == "fewer than 5"
    assert values["uphold_rate_pct"] == ""


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    figures = march_kpis(organisation='=HYPERLINK("http://evil")').as_json()
    values = dict(_rows(kpis_to_csv(figures))[1:])
    assert values["filters.organisation"] == '\'=HYPERLINK("http://evil")'
