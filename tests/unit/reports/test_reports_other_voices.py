"""Organisations' satisfaction shown apart from complainants', and "you said, we did" with
feedback themes and recorded service changes (golden March figures from golden_march.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from services.reports.domain import (
    SUPPRESSION_THRESHOLD,
    LearningReport,
    ReportingPeriod,
    ServiceChange,
    feedback_themes,
    kpis_to_csv,
    learning_report,
    suppress,
)
from tests.unit.reports.golden_march import (
    CASES,
    MARCH_FROM,
    MARCH_TO,
    RESPONSES,
    TODAY,
    TRUST,
    march_kpis,
    response,
    weekdays_between,
)

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "reports" / "templates"

CHANGES = [
    ServiceChange(
        change_id="C1",
        theme="overall_time",
        description="Every investigation now has a named lead from week one.",
        made_on=date(2025, 3, 12),
    ),
    ServiceChange(
        change_id="C2",
        theme="communication",
        description="Plain-English letter templates.",
        made_on=date(2025, 3, 3),
    ),
    ServiceChange(
        change_id="C3",
        theme="delay",
        description="Made in April: belongs to April's report.",
        made_on=date(2025, 4, 1),
    ),
]


def march_report() -> LearningReport:
    return learning_report(
        CASES,
        RESPONSES,
        ReportingPeriod(MARCH_FROM, MARCH_TO),
        working_days_between=weekdays_between,
        today=TODAY,
        service_changes=CHANGES,
    )


def test_organisations_answers_are_reported_apart_from_complainants() -> None:
    kpis = march_kpis()
    # R4 is the one organisation answer in March: explain_complaint 5, on an upheld case.
    organisations = kpis.organisation_satisfaction
    assert organisations.responses == 1
    assert {q: s.pct for q, s in organisations.by_question.items()} == {"explain_complaint": 100.0}
    assert {o: s.pct for o, s in organisations.by_outcome.items()} == {"upheld": 100.0}
    # Complainants: R1, R2, R3 and R6; R4 is not among them.
    assert kpis.satisfaction.responses == 4
    figures = kpis.as_json()
    assert figures["organisation_satisfaction"] == {
        "responses": 1,
        "by_question": {"explain_complaint": 100.0},
        "by_outcome": {"upheld": 100.0},
        "impartiality_pct": 100.0,
    }


def test_organisation_satisfaction_is_suppressed_when_published() -> None:
    published = suppress(march_kpis())["organisation_satisfaction"]
    assert published == {
        "responses": f"fewer than {SUPPRESSION_THRESHOLD}",
        "by_question": {"explain_complaint": None},
        "by_outcome": {"upheld": None},
        "impartiality_pct": None,
    }
    assert "organisation_satisfaction.responses,fewer than 5" in kpis_to_csv(suppress(march_kpis()))


def test_no_organisation_satisfaction_for_a_single_organisation() -> None:
    assert march_kpis(organisation=TRUST).organisation_satisfaction.responses == 0


def test_sector_filter_applies_to_organisations_answers() -> None:
    assert march_kpis(sector="parliamentary").organisation_satisfaction.responses == 0
    assert march_kpis(sector="health").organisation_satisfaction.responses == 1


def test_feedback_themes_are_questions_answers_disagreed_with() -> None:
    in_march = [r for r in RESPONSES if r.submitted_at.date() <= MARCH_TO]
    # R1 overall_time 2; R2 explain_complaint 2, overall_service 1; R6's 3 is neutral.
    assert feedback_themes(in_march) == {
        "explain_complaint": 1,
        "overall_service": 1,
        "overall_time": 1,
    }
    consultation = response("K1", {"q1": 1}, None, respondent="consultation")
    assert feedback_themes([consultation]) == {}


def test_you_said_we_did_puts_changes_beside_complaint_and_feedback_themes() -> None:
    rows = {row.theme: row for row in march_report().you_said_we_did}
    assert list(rows) == ["communication", "clinical treatment", "overall_time"]
    # A complaint theme with an implemented apology and a recorded change.
    assert rows["communication"].complaints == 4
    assert rows["communication"].apologies_implemented == 1
    assert rows["communication"].service_changes == ("Plain-English letter templates.",)
    # A feedback theme: one answer disagreed; the change made in March is beside it.
    overall_time = rows["overall_time"]
    assert (overall_time.complaints, overall_time.feedback_disagreed) == (0, 1)
    assert overall_time.service_changes == (
        "Every investigation now has a named lead from week one.",
    )
    assert overall_time.organisations == ()
    # A change made in April stays out of March, and "delay" has nothing else done.
    assert "delay" not in rows


def test_without_changes_the_section_is_as_before() -> None:
    report = learning_report(
        CASES,
        RESPONSES,
        ReportingPeriod(MARCH_FROM, MARCH_TO),
        working_days_between=weekdays_between,
        today=TODAY,
    )
    assert [row.theme for row in report.you_said_we_did] == ["communication", "clinical treatment"]


def render_learning(report: LearningReport) -> str:
    environment = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    return environment.get_template("learning_report.html").render(
        report=report, published=True, threshold=SUPPRESSION_THRESHOLD
    )


def test_learning_report_page_shows_changes_and_organisations_apart() -> None:
    page = render_learning(march_report())
    assert "Every investigation now has a named lead from week one." in page
    assert "Overall time" in page  # a question id shown as words
    assert "Made in April" not in page
    assert "What organisations investigated told us" in page
    assert "Survey answers disagreeing" in page
