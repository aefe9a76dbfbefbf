"""deploy/grafana/redress.json: valid JSON whose every panel asks only for series that exist,
the code's metrics or the recording rules' outputs (deploy/prometheus/rules.yml)."""

from __future__ import annotations

import json
from typing import Any

from tests.kit.promql import (
    DASHBOARD,
    PROMETHEUS_SERIES,
    code_series,
    metric_names,
    recorded_names,
)

# What an operator looks at first (issue 15 §4): a panel for each.
REQUIRED_SERIES = {
    "redress:complaints_received:rate5m",
    "redress:consumer_lag:sum",
    "redress_outbox_pending",
    "redress_outbox_oldest_unpublished_age_seconds",
    "redress:dlq_records:rate5m",
    "redress:handler_seconds:p50_5m",
    "redress:handler_seconds:p99_5m",
    "redress_notifications_send_failures_total",
    "redress_broker_up",
}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def expressions() -> list[str]:
    return [target["expr"] for panel in dashboard()["panels"] for target in panel["targets"]]


def test_the_dashboard_is_a_grafana_dashboard_with_unique_panels() -> None:
    board = dashboard()
    assert board["title"]
    assert board["uid"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert all(panel["targets"] for panel in board["panels"])


def test_every_panel_names_only_series_that_exist() -> None:
    known = code_series() | recorded_names() | PROMETHEUS_SERIES
    for expression in expressions():
        names = metric_names(expression)
        assert names, expression
        assert names <= known, f"{expression}: unknown {sorted(names - known)}"


def test_the_dashboard_shows_what_an_operator_needs() -> None:
    shown = {name for expression in expressions() for name in metric_names(expression)}
    assert shown >= REQUIRED_SERIES, sorted(REQUIRED_SERIES - shown)
