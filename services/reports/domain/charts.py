"""Charts: inline SVG drawn on the server, so the dashboard needs no JavaScript (pure: data in,
SVG string out).

Every chart is `role="img"` named by its <title> and described by a <desc> listing every value
(screen readers cannot read bar lengths or line heights), and the page shows the same figures in
a table beside it. A suppressed figure ("fewer than 5", or a percentage not published) draws no
bar or point and no number: only its words. Labels and titles are escaped: organisation names and
themes come from outside.
"""

from __future__ import annotations

import html
import math
import re
from calendar import month_abbr
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.reports.domain.monthly import ASSESSMENT_DECISION_TARGET_WORKING_DAYS

CHART_WIDTH = 640
CHART_LABEL_WIDTH = 260
CHART_VALUE_WIDTH = 70
CHART_ROW_HEIGHT = 28
CHART_BAR_HEIGHT = 18
CHART_TOP_MARGIN = 8
BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
TEXT_COLOUR = "#0b0c0c"

# The trend (line) chart's plot area.
TREND_HEIGHT = 260
TREND_LEFT = 56
TREND_RIGHT = 16
TREND_TOP = 16
TREND_BOTTOM = 48
TREND_GRID_STEPS = 4

# A bar's value: a number, or the words that stand for a suppressed figure.
BarValue = float | str
# A point on a trend: a number, words for a suppressed figure, or None (nothing to show).
PointValue = float | str | None


def _format_value(value: float, unit: str) -> str:
    number = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{number}{unit}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _shown(value: PointValue, unit: str) -> str:
    if value is None:
        return "not available"
    if isinstance(value, str):
        return value
    return _format_value(value, unit)


def _check(label: str, value: PointValue) -> None:
    if isinstance(value, int | float) and (not math.isfinite(value) or value < 0):
        raise ValueError(f"{label!r} has value {value!r}; charts need a finite value >= 0")


def _open_svg(title: str, description: str, height: int, prefix: str) -> list[str]:
    chart_id = f"{prefix}-{_slug(title)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{html.escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{html.escape(description or "No data")}</desc>',
    ]


def bar_chart_svg(
    series: Sequence[tuple[str, BarValue]],
    title: str,
    *,
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """A horizontal bar chart. The visible heading is the page's: the title names the chart for
    assistive technology only, so it is not printed a second time."""
    for label, value in series:
        _check(label, value)
    numbers = [float(v) for _, v in series if not isinstance(v, str)]
    scale_max = max_value if max_value is not None else max(numbers, default=0)
    bar_area = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    height = CHART_TOP_MARGIN + CHART_ROW_HEIGHT * max(len(series), 1)
    description = "; ".join(f"{label}: {_shown(value, unit)}" for label, value in series)
    parts = _open_svg(title, description, height, "chart")
    if not series:
        parts.append(f'<text x="0" y="{CHART_TOP_MARGIN + 18}">No data for this period</text>')
    for row, (label, value) in enumerate(series):
        top = CHART_TOP_MARGIN + row * CHART_ROW_HEIGHT
        parts.append(
            f'<text x="{CHART_LABEL_WIDTH - 8}" y="{top + 14}" text-anchor="end">'
            f"{html.escape(label)}</text>"
        )
        if isinstance(value, str):
            parts.append(
                f'<text x="{CHART_LABEL_WIDTH}" y="{top + 14}" font-style="italic">'
                f"{html.escape(value)}</text>"
            )
            continue
        width = 0.0 if scale_max <= 0 else bar_area * min(value, scale_max) / scale_max
        parts.extend(
            [
                f'<rect x="{CHART_LABEL_WIDTH}" y="{top}" width="{width:.1f}" '
                f'height="{CHART_BAR_HEIGHT}" fill="{BAR_COLOUR}"/>',
                f'<text x="{CHART_LABEL_WIDTH + width + 6:.1f}" y="{top + 14}">'
                f"{html.escape(_format_value(value, unit))}</text>",
            ]
        )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class _TrendPlot:
    """Where a trend chart draws: the scale and the plot area's geometry."""

    scale_max: float
    unit: str
    plot_height: int
    base: int  # pixels from the top: an int, so labels print without decimals
    step: float

    def x(self, index: int) -> float:
        return TREND_LEFT + self.step * (index + 0.5)

    def y(self, value: float) -> float:
        return self.base - self.plot_height * min(value, self.scale_max) / self.scale_max


def _trend_grid(plot: _TrendPlot) -> list[str]:
    """The horizontal grid lines, each with its value on the left."""
    parts: list[str] = []
    for grid in range(TREND_GRID_STEPS + 1):
        y = plot.base - plot.plot_height * grid / TREND_GRID_STEPS
        tick = _format_value(plot.scale_max * grid / TREND_GRID_STEPS, plot.unit)
        parts.append(
            f'<line x1="{TREND_LEFT}" y1="{y:.1f}" x2="{CHART_WIDTH - TREND_RIGHT}" '
            f'y2="{y:.1f}" stroke="#b1b4b6"/>'
            f'<text x="{TREND_LEFT - 6}" y="{y + 5:.1f}" text-anchor="end">{tick}</text>'
        )
    return parts


def _trend_marks(
    points: Sequence[tuple[str, PointValue]], plot: _TrendPlot
) -> tuple[list[str], list[list[str]]]:
    """Each month's label and mark (a point with its value, or a suppressed figure's words), and
    the line's segments: a month without a number breaks the line."""
    parts: list[str] = []
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, (label, value) in enumerate(points):
        x = plot.x(index)
        first, _, second = label.partition(" ")
        parts.append(
            f'<text x="{x:.1f}" y="{plot.base + 18}" text-anchor="middle" font-size="13">'
            f'{html.escape(first)}<tspan x="{x:.1f}" dy="16">{html.escape(second)}</tspan></text>'
        )
        if not isinstance(value, int | float):
            segments.append(segment)
            segment = []
            if isinstance(value, str):
                parts.append(
                    f'<text x="{x + 5:.1f}" y="{plot.base - 4}" font-style="italic" '
                    f'transform="rotate(-90 {x + 5:.1f} {plot.base - 4})">'
                    f"{html.escape(value)}</text>"
                )
            continue
        y = plot.y(float(value))
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle">'
            f"{html.escape(_format_value(float(value), plot.unit))}</text>"
        )
    segments.append(segment)
    return parts, segments


def trend_chart_svg(
    points: Sequence[tuple[str, PointValue]],
    title: str,
    *,
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """A line through one point per month, labelled with its value. The line breaks where a
    month has no published figure; a suppressed month is marked by its words, written upwards
    at its place, with no point."""
    for label, value in points:
        _check(label, value)
    numbers = [float(v) for _, v in points if isinstance(v, int | float)]
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    plot = _TrendPlot(
        scale_max=max_value if max_value is not None else max(numbers, default=0) or 1.0,
        unit=unit,
        plot_height=plot_height,
        base=TREND_TOP + plot_height,
        step=(CHART_WIDTH - TREND_LEFT - TREND_RIGHT) / max(len(points), 1),
    )
    description = "; ".join(f"{label}: {_shown(value, unit)}" for label, value in points)
    parts = _open_svg(title, description, TREND_HEIGHT, "trend")
    parts.extend(_trend_grid(plot))
    marks, segments = _trend_marks(points, plot)
    parts.extend(marks)
    parts.extend(
        f'<polyline points="{" ".join(line)}" fill="none" stroke="{BAR_COLOUR}" stroke-width="3"/>'
        for line in segments
        if len(line) > 1
    )
    if not points:
        parts.append(f'<text x="{TREND_LEFT}" y="{TREND_TOP + 20}">No data for this period</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _chart_series(values: Mapping[str, object]) -> list[tuple[str, BarValue]]:
    """Bars from rendered figures: a number draws a bar; a suppressed count keeps its words."""
    series: list[tuple[str, BarValue]] = []
    for label, value in values.items():
        name = label.replace("_", " ")
        if isinstance(value, int | float) and not isinstance(value, bool):
            series.append((name, float(value)))
        elif isinstance(value, str):
            series.append((name, value))
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


# The monthly trends the dashboard draws: (field in the monthly figures, title, unit).
TRENDS: tuple[tuple[str, str, str], ...] = (
    ("complaints_received", "Complaints received each month", ""),
    ("cases_closed", "Cases closed each month", ""),
    ("acknowledged_within_target_pct", "Acknowledged within target (%)", "%"),
    (
        "assessment_decided_within_target_pct",
        "Decided whether to investigate within "
        f"{ASSESSMENT_DECISION_TARGET_WORKING_DAYS} working days (%)",
        "%",
    ),
    ("uphold_rate_pct", "Uphold rate of investigated cases (%)", "%"),
    ("satisfaction_pct", "Complainants agreeing in our survey (%)", "%"),
)


def _point(value: object) -> PointValue:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value if isinstance(value, str) else None


def month_label(month: str) -> str:
    """ "2026-03" as "Mar 2026"."""
    year, number = month.split("-")
    return f"{month_abbr[int(number)]} {year}"


@dataclass(frozen=True, slots=True)
class TrendChart:
    key: str
    title: str
    unit: str
    svg: str


def trend_charts(months: Sequence[Mapping[str, object]]) -> list[TrendChart]:
    """One trend chart per monthly figure (TRENDS), from published monthly figures."""
    charts = []
    for key, title, unit in TRENDS:
        points = [(month_label(str(month["month"])), _point(month[key])) for month in months]
        svg = trend_chart_svg(points, title, unit=unit, max_value=100.0 if unit == "%" else None)
        charts.append(TrendChart(key, title, unit, svg))
    return charts
