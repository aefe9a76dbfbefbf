"""Charts: SVG strings drawn from figures (pure: data in, SVG out)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

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
