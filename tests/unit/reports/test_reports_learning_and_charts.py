"""The learning report data, the SVG charts and the two report pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from services.reports.domain import (
    CHART_LABEL_WIDTH,
    CHART_VALUE_WIDTH,
    CHART_WIDTH,
    SUPPRESSION_THRESHOLD,
    LearningReport,
    ReportingPeriod,
    bar_chart_svg,
    dashboard_charts,
    learning_report,
    suppress,
    trend_charts,
)
from tests.unit.reports.golden_march import (
    CASES,
    DEPARTMENT,
    MARCH_FROM,
    MARCH_TO,
    RESPONSES,
    TODAY,
    TRUST,
    march_kpis,
    weekdays_between,
)

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "reports" / "templates"
SVG = "{http://www.w3.org/2000/svg}"


def march_report() -> LearningReport:
    return learning_report(
        CASES,
        RESPONSES,
        ReportingPeriod(MARCH_FROM, MARCH_TO),
        working_days_between=weekdays_between,
        today=TODAY,
    )


def test_learning_report_themes_table() -> None:
    rows = {row.theme: (row.received, row.upheld) for row in march_report().themes}
    # communication: A, B, E, F received; A upheld, B partly upheld (both closed in March)
    # clinical treatment: A received in March; A and G upheld and closed in March
    assert rows == {"communication": (4, 2), "delay": (2, 0), "clinical treatment": (1, 2)}


def test_learning_report_organisations_table() -> None:
    rows = {row.organisation: row for row in march_report().organisations}
    trust, department = rows[TRUST], rows[DEPARTMENT]
    assert (trust.received, trust.closed, trust.upheld) == (4, 4, 2)  # A-D; A, B upheld
    assert (department.received, department.closed, department.upheld) == (2, 2, 1)
    assert (trust.recommendations.made, trust.recommendations.implemented) == (3, 1)
    assert department.recommendations.overdue == 1
    assert [row.organisation for row in march_report().organisations] == [TRUST, DEPARTMENT]


def test_you_said_we_did_lists_themes_with_implemented_recommendations() -> None:
    rows = march_report().you_said_we_did
    # Only A1 (an apology on a case about communication and clinical treatment) is implemented.
    assert [row.theme for row in rows] == ["communication", "clinical treatment"]
    assert rows[0].apologies_implemented == 1
    assert rows[0].service_improvements_implemented == 0
    assert rows[0].organisations == (TRUST,)


def test_learning_report_satisfaction_by_outcome() -> None:
    shares = march_report().satisfaction_by_outcome
    assert {outcome: share.pct for outcome, share in shares.items()} == {
        "upheld": 80.0,
        "not_upheld": 33.3,
        "declined": 0.0,
    }


# ------------------------------------------------------------------------------------------
# bar_chart_svg
# ------------------------------------------------------------------------------------------


def _bars(svg: str) -> list[float]:
    return [float(rect.get("width", "nan")) for rect in ET.fromstring(svg).iter(f"{SVG}rect")]


def test_chart_is_well_formed_accessible_svg() -> None:
    svg = bar_chart_svg([("Upheld", 3), ("Not upheld", 6)], "Outcomes")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Outcomes"
    assert desc is not None
    assert desc.text == "Upheld: 3; Not upheld: 6"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_chart_bars_are_proportional_to_values() -> None:
    full = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    assert _bars(bar_chart_svg([("a", 2), ("b", 8), ("c", 0)], "t")) == [full / 4, full, 0.0]


def test_chart_with_a_fixed_scale() -> None:
    full = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    svg = bar_chart_svg([("q", 50.0)], "Satisfaction", unit="%", max_value=100)
    assert _bars(svg) == [full / 2]
    assert ">50%<" in svg


def test_chart_escapes_labels_and_title() -> None:
    hostile = '<script>alert("x")</script> & Sons'
    svg = bar_chart_svg([(hostile, 1)], f"Title {hostile}")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well formed
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert hostile in texts
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == f"Title {hostile}"
    # The page's heading is the visible title: the chart does not print it a second time.
    assert f"Title {hostile}" not in texts


def test_chart_without_data_says_so() -> None:
    svg = bar_chart_svg([], "Outcomes")
    assert _bars(svg) == []
    assert "No data for this period" in svg
    assert all(width == 0 for width in _bars(bar_chart_svg([("a", 0)], "zeros")))


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_chart_rejects_values_a_bar_cannot_show(bad: float) -> None:
    with pytest.raises(ValueError, match="finite value"):
        bar_chart_svg([("a", bad)], "t")


def test_dashboard_charts_label_suppressed_counts() -> None:
    charts = dashboard_charts(suppress(march_kpis()))
    assert set(charts) == {"stages", "outcomes", "satisfaction", "organisation_satisfaction"}
    assert "closed: 6" in charts["stages"]
    outcomes = ET.fromstring(charts["outcomes"])
    # A suppressed count draws no bar and no number: only its words.
    assert len(_bars(charts["outcomes"])) == 1  # resolved early: 0, a real (empty) bar
    texts = [element.text for element in outcomes.iter(f"{SVG}text")]
    assert texts.count("fewer than 5") == 5
    assert "0" in texts
    desc = outcomes.find(f"{SVG}desc")
    assert desc is not None
    assert "upheld: fewer than 5" in (desc.text or "")


# ------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(page)
    return collector.tags


def render_dashboard(
    figures: dict[str, object], months: list[dict[str, object]] | None = None
) -> str:
    months = months or []
    return (
        environment()
        .get_template("dashboard.html")
        .render(
            figures=figures,
            charts=dashboard_charts(figures),
            months=months,
            trends=trend_charts(months),
            by_sector=[],
            by_organisation=[],
            compliance=[],
            learning_reports=[],
            threshold=SUPPRESSION_THRESHOLD,
        )
    )


def test_dashboard_has_charts_and_tables_and_no_script() -> None:
    page = render_dashboard(march_kpis().as_json())
    tags = [tag for tag, _ in _tags(page)]
    assert "script" not in tags
    # six monthly trends, then stages, outcomes, complainants, organisations
    assert tags.count("svg") == 10
    assert tags.count("table") >= 11
    assert '<caption class="visually-hidden">Cases by stage</caption>' in page
    assert "66.7%" in page
    assert "Partly upheld" in page


def test_dashboard_shows_published_figures_as_published() -> None:
    page = render_dashboard(suppress(march_kpis()))
    assert "fewer than 5" in page
    assert "not available" in page  # the suppressed uphold rate
    assert "uphold_rate_pct" in page  # listed in the notes


def test_dashboard_escapes_names_from_outside() -> None:
    page = render_dashboard(march_kpis(organisation="<b>Evil</b> Trust").as_json())
    assert "<b>Evil</b>" not in page
    assert "&lt;b&gt;Evil&lt;/b&gt; Trust" in page


def render_learning(*, published: bool) -> str:
    return (
        environment()
        .get_template("learning_report.html")
        .render(report=march_report(), published=published, threshold=SUPPRESSION_THRESHOLD)
    )


def test_learning_report_page_unpublished_shows_exact_counts() -> None:
    page = render_learning(published=False)
    assert "fewer than" not in page
    assert f'<th scope="row">{TRUST}</th>' in page
    assert "You said, we did" in page
    assert "80.0%" in page  # satisfaction of upheld cases


def test_learning_report_page_published_suppresses_small_numbers() -> None:
    page = render_learning(published=True)
    assert "fewer than 5" in page
    assert "80.0%" not in page  # based on 2 responses
    assert "<script" not in page
    assert date(2025, 3, 1).isoformat() in page
